""""Sounds like its drums" queries: a second block of class vectors, its pairs, its loss and its evaluation."""
import numpy as np
import pytest
import torch

from model.conditioning import DRUM_CLASSES, QUERY_MODES, mode_block, mode_offset
from model.config import EncoderConfig, ModelConfig
from model.encoders import SampleMatchModel
from training.corpus.layout import load_corpus, song_record, write_oneshot, write_song, write_stem
from training.evaluate_like import LikeConfig, Variant, evaluate_like_set, load_like_set, variants_for
from training.losses import conditioned_similarity, own_class_queries
from training.pairs import draw_pair, own_stem, remaining_stems

SR = 44100
CFG = ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0, query_classes=DRUM_CLASSES,
                  query_modes=QUERY_MODES)


def test_modes_need_classes_start_with_fit_and_round_trip():
    assert CFG.query_outputs == 2 * len(DRUM_CLASSES)
    assert ModelConfig.from_dict(CFG.to_dict()) == CFG
    for bad in (dict(query_classes=(), query_modes=QUERY_MODES), dict(query_modes=("like", "fit")),
                dict(query_modes=("fit", "fit")), dict(query_modes=("fit", "loud"))):
        with pytest.raises(ValueError, match="query_modes"):
            CFG.replace(**bad)


def test_each_mode_is_its_own_block_of_class_vectors_and_they_differ():
    torch.manual_seed(0)
    model = SampleMatchModel(CFG).eval()
    with torch.no_grad():
        q = model.encode_query(torch.randn(2, CFG.query_samples)).numpy()
    assert q.shape == (2, 2 * len(DRUM_CLASSES), 256)
    fit, like = (mode_block(q, CFG.query_modes, DRUM_CLASSES, m) for m in ("fit", "like"))
    assert fit.shape == like.shape == (2, len(DRUM_CLASSES), 256)
    assert np.array_equal(like, q[:, len(DRUM_CLASSES):])
    cos = (fit * like).sum(-1) / (np.linalg.norm(fit, axis=-1) * np.linalg.norm(like, axis=-1))
    assert cos.max() < 0.99     # the same excerpt and class asks a different question per mode
    with pytest.raises(ValueError, match="no 'like' queries"):
        mode_offset((), DRUM_CLASSES, "like")
    assert mode_offset((), DRUM_CLASSES, "fit") == 0


def test_the_loss_scores_query_i_by_its_own_mode_and_key_js_class():
    torch.manual_seed(1)
    classes = 3
    u, v = torch.randn(4, 2 * classes, 5), torch.randn(4, 5)
    key_class, offset = torch.tensor([2, 0, 1, 2]), torch.tensor([0, classes, classes, 0])
    sim = conditioned_similarity(u, v, key_class, offset)
    by_hand = torch.tensor([[torch.nn.functional.cosine_similarity(u[i, offset[i] + key_class[j]], v[j], dim=0)
                             for j in range(4)] for i in range(4)])
    assert torch.allclose(sim, by_hand, atol=1e-6)
    own = own_class_queries(u, key_class, offset)
    assert torch.equal(own[1], u[1, classes + 0]) and torch.equal(own[0], u[0, 2])


def _songs(out, freqs=(300, 700, 1100, 1500)):
    """One song per frequency: its kick stem repeats its kick one-shot (a tone at that frequency), its hat stem
    a tone at 4x it, over a 9 kHz accompaniment that no one-shot has."""
    t = np.arange(int(0.2 * SR)) / SR
    for s, f in enumerate(freqs):
        song_dir = out / "songs" / f"s{s}"
        kick, hat = (np.sin(2 * np.pi * g * t).astype(np.float32) * np.exp(-8 * t).astype(np.float32)
                     for g in (f, 4 * f))
        seconds = 5.0
        kick_stem, hat_stem = np.zeros(int(seconds * SR), np.float32), np.zeros(int(seconds * SR), np.float32)
        for at in range(0, len(kick_stem) - len(t), SR // 2):
            kick_stem[at:at + len(t)] += kick
            hat_stem[at + SR // 4:at + SR // 4 + len(t)] += hat
        keys = 0.05 * np.sin(2 * np.pi * 9000 * np.arange(len(kick_stem)) / SR).astype(np.float32)
        stems = [{"name": "keys", "file": write_stem(song_dir, "keys", keys), "role": "keys"},
                 {"name": "kick", "file": write_stem(song_dir, "kick", kick_stem), "role": "kick"},
                 {"name": "hat", "file": write_stem(song_dir, "hat", hat_stem), "role": "hihat"}]
        shots = [{"file": write_oneshot(song_dir, "kick", kick), "role": "kick", "stem": "kick"},
                 {"file": write_oneshot(song_dir, "hat", hat), "role": "hihat", "stem": "hat"}]
        write_song(out, song_record(f"s{s}", "electronic", "test", "test", seconds, stems, shots, {}))
    return load_corpus(out)[1]


class Spectrum:
    """Band energies of the magnitude spectrum: a query is near the one-shots whose tones it holds."""
    query_classes: tuple = ()
    query_modes: tuple = ()

    def _bands(self, waves):
        spectra = [np.abs(np.fft.rfft(w, n=SR))[:SR // 2] for w in waves]
        return np.stack([s.reshape(-1, 50).sum(axis=1) for s in spectra]).astype(np.float32)

    embed_queries = _bands
    embed_keys = _bands

    def finish(self, queries, keys):
        return queries, keys


def test_the_sounds_like_task_ranks_the_drums_heard_in_the_mix_first(tmp_path):
    like = load_like_set(_songs(tmp_path), LikeConfig(excerpts=2, query_samples=2 * SR))
    assert {(q.role, q.kind) for q in like.queries} == {(r, k) for r in ("kick", "hihat") for k in ("all", "stem")}
    stem_kick = next(q for q in like.queries if q.kind == "stem" and q.role == "kick")
    assert len(stem_kick.truth) == 1 and like.key_roles[stem_kick.truth[0]] == "kick"
    results = evaluate_like_set(like, {"spectrum": Variant(Spectrum())})["spectrum"]
    for kind in ("all", "stem"):
        m = results[kind]
        # the true one-shot first among the 4 of its class: rank 1/4, for every class and query
        assert m.R_mn == pytest.approx(0.25) and m.R_md == pytest.approx(0.25)
        assert set(m.per_class) == {"kick", "hihat"} and m.queries == 8 and m.candidates == 8


def test_a_model_with_like_queries_is_evaluated_in_both_modes():
    from training.embedders import ModelEmbedder

    e = ModelEmbedder(SampleMatchModel(CFG))
    variants = variants_for({"m": e, "base": Spectrum()})
    assert {n: v.mode for n, v in variants.items()} == {"m (sounds like)": "like", "m (fit ranking)": "fit",
                                                        "base": "fit"}


def test_a_like_pair_always_holds_its_own_stem_and_a_fit_pair_never_does(tmp_path):
    songs = _songs(tmp_path)
    rng = np.random.default_rng(0)
    for like_p, want in ((1.0, True), (0.0, False)):
        for _ in range(20):
            pair = draw_pair(rng, songs, 0, 10, 512, sparse=True, like_p=like_p)
            assert pair.like is want
            assert (own_stem(songs[0], pair.oneshot) in pair.stems) is want
            assert set(pair.stems) - {own_stem(songs[0], pair.oneshot)} <= set(remaining_stems(songs[0], pair.oneshot))
