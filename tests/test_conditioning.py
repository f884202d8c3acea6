"""Class-conditioned queries: one vector per drum class, each key scored by its own class's vector."""
import json

import numpy as np
import pytest
import torch

from model.conditioning import DRUM_CLASSES, class_indices, cosine_scores
from model.config import EncoderConfig, ModelConfig
from model.encoders import SampleMatchModel
from training.losses import LossConfig, conditioned_similarity, contrastive_term, decoupled_nt_xent

CFG = ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0, query_classes=DRUM_CLASSES)


def test_roles_and_app_categories_map_to_classes_with_the_rest_in_other():
    assert class_indices(DRUM_CLASSES, ["kick", "hihat", "tom", "perc", "clap", "other"]).tolist() == [0, 2, 5, 6, 6, 6]


def test_the_query_encoder_gives_a_different_vector_per_class_for_one_excerpt():
    torch.manual_seed(0)
    model = SampleMatchModel(CFG).eval()
    with torch.no_grad():
        q = model.encode_query(torch.randn(2, CFG.query_samples))
        k = model.encode_key(torch.randn(3, CFG.key_samples))
    assert q.shape == (2, len(DRUM_CLASSES), 256) and k.shape == (3, 256)
    per_class = torch.nn.functional.normalize(q[0], dim=1)
    off_diagonal = (per_class @ per_class.T)[~torch.eye(len(DRUM_CLASSES), dtype=torch.bool)]
    assert off_diagonal.max() < 0.99


def test_a_shared_encoder_cannot_condition_queries():
    with pytest.raises(ValueError, match="shared encoder"):
        SampleMatchModel(CFG.replace(shared_encoder=True))


def test_each_key_is_scored_by_the_vector_of_its_own_class():
    queries = np.zeros((1, 3, 2), np.float32)
    queries[0, 0] = [1, 0]          # class 0 points at x
    queries[0, 1] = [0, 1]          # class 1 points at y
    queries[0, 2] = [-1, 0]
    keys = np.array([[1, 0], [1, 0], [0, 2]], np.float32)
    scores = cosine_scores(queries, keys, np.array([0, 1, 1]))
    assert scores.tolist() == [[1.0, 0.0, 1.0]]
    assert cosine_scores(queries[:, 0], keys).tolist() == [[1.0, 1.0, 0.0]]     # unconditioned: plain cosine
    with pytest.raises(ValueError):
        cosine_scores(queries, keys)


def test_the_loss_compares_each_query_with_each_key_through_that_keys_class():
    torch.manual_seed(1)
    u, v = torch.randn(4, 3, 5), torch.randn(4, 5)
    key_class = torch.tensor([2, 0, 1, 2])
    sim = conditioned_similarity(u, v, key_class)
    by_hand = torch.tensor([[torch.nn.functional.cosine_similarity(u[i, key_class[j]], v[j], dim=0)
                             for j in range(4)] for i in range(4)])
    assert torch.allclose(sim, by_hand, atol=1e-6)
    loss = contrastive_term(u, v, torch.arange(4), LossConfig(), key_class)
    own = u[torch.arange(4), key_class]
    # On the diagonal the conditioned loss sees each pair's own-class query, like the plain one would.
    assert loss.item() != pytest.approx(decoupled_nt_xent(u[:, 0], v, torch.eye(4, dtype=torch.bool), 0.2).item())
    assert torch.allclose(torch.diagonal(sim), torch.nn.functional.cosine_similarity(own, v, dim=1), atol=1e-6)


def test_the_config_round_trips_its_classes_through_json():
    back = ModelConfig.from_dict(json.loads(json.dumps(CFG.to_dict())))
    assert back == CFG and back.query_classes == DRUM_CLASSES


def test_with_qsi_same_song_queries_match_as_all_their_class_vectors():
    from training.losses import nt_xent_from_similarity

    torch.manual_seed(2)
    u, v, song = torch.randn(4, 3, 5), torch.randn(4, 5), torch.tensor([0, 0, 1, 1])
    key_class = torch.tensor([0, 2, 1, 1])
    same, eye = song[:, None] == song[None, :], torch.eye(4, dtype=torch.bool)
    expected = (nt_xent_from_similarity(conditioned_similarity(u, v, key_class), same, 0.2)
                + decoupled_nt_xent(u.flatten(1), u.flatten(1), same & ~eye, 0.2, exclude=eye)
                + decoupled_nt_xent(v, v, same & ~eye, 0.2, exclude=eye))
    got = contrastive_term(u, v, song, LossConfig(qsi_invariance=True), key_class)
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


def test_the_library_scores_each_sample_by_its_categorys_query_vector():
    from model.scoring import cosine_scores as quantised_scores, quantise_rows

    rng = np.random.default_rng(3)
    keys = rng.standard_normal((6, 16)).astype(np.float32)
    query = rng.standard_normal((len(DRUM_CLASSES), 16)).astype(np.float32)
    row_class = class_indices(DRUM_CLASSES, ["kick", "snare", "hihat", "clap", "perc", "tom"])
    rows, scales = quantise_rows(keys)
    got = quantised_scores(rows, scales, query, row_class)
    expected = cosine_scores(query[None], keys, row_class)[0]
    assert np.allclose(got, expected, atol=1e-2)
    assert np.allclose(quantised_scores(rows, scales, query[0]), cosine_scores(query[:1], keys)[0], atol=1e-2)
    with pytest.raises(ValueError):
        quantised_scores(rows, scales, query)


def test_a_conditioned_model_exports_to_onnx_and_gives_a_vector_per_class(tmp_path):
    from model.weights import export_model
    from samplematch_gui.engine import load_embedder
    from training.export import export_onnx

    torch.manual_seed(4)
    model = SampleMatchModel(CFG).eval()
    export_model(model, tmp_path, name="tiny-conditioned")
    from model.weights import read_config

    export_onnx(model, tmp_path, read_config(tmp_path).model_id)
    wave = np.random.default_rng(5).standard_normal(CFG.frontend.sample_rate * 6).astype(np.float32)
    onnx_query = load_embedder(tmp_path, "onnx").embed_query(wave)
    torch_query = load_embedder(tmp_path, "torch").embed_query(wave)
    assert onnx_query.shape == torch_query.shape == (len(DRUM_CLASSES), 256)
    cos = (onnx_query * torch_query).sum(1) / (np.linalg.norm(onnx_query, axis=1) * np.linalg.norm(torch_query, axis=1))
    assert cos.min() >= 0.9999


def test_the_library_index_ranks_with_a_query_vector_per_category_and_a_correction_moves_a_sample():
    from samplematch_gui.library_db import SampleRow
    from samplematch_gui.library_index import LibraryIndex

    keys = np.eye(3, 8, dtype=np.float32)                       # three orthogonal one-shots
    rows = [SampleRow(f"/s/{name}.wav", "/s", name, 1, 0, 0.5, category, None, None, "m")
            for name, category in (("a", "kick"), ("b", "snare"), ("c", "clap"))]
    index = LibraryIndex(rows, keys, "m")
    query = np.zeros((len(DRUM_CLASSES), 8), np.float32)
    query[DRUM_CLASSES.index("kick")] = keys[0]                 # the kick vector points at a
    query[DRUM_CLASSES.index("snare")] = keys[2]                # the snare vector at c, not at b
    query[DRUM_CLASSES.index("other")] = -keys[2]               # claps are scored by "other"
    assert np.allclose(index.scores(query), [1.0, 0.0, -1.0], atol=1e-2)
    index.set_user_category(2, "snare")
    assert np.allclose(index.scores(query), [1.0, 0.0, 1.0], atol=1e-2)
    with pytest.raises(ValueError):
        index.scores(query[:3])
