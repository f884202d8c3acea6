""""Sounds like its drums" from the core and the CLI: the mode picks the model's like vectors, per class."""
import json

import numpy as np
import pytest

from model.conditioning import DRUM_CLASSES, class_indices
from samplematch_gui.cli import main
from samplematch_gui.engine import load_embedder
from samplematch_gui.query_session import QuerySession


@pytest.fixture
def like_db(tmp_path, sample_library, like_weights, capsys):
    db = tmp_path / "like.db"
    assert main(["index", str(sample_library), "--db", str(db), "--weights", str(like_weights)]) == 0
    capsys.readouterr()
    return db


def open_session(db, weights, bounce):
    """A session on the library with the model in weights loaded and the bounce open."""
    session = QuerySession(db)
    session.embedder = load_embedder(weights)
    session.load_index()
    session.open_bounce(bounce)
    return session


def test_like_mode_scores_each_sample_by_the_like_vector_of_its_class(like_db, like_weights, bounce):
    session = open_session(like_db, like_weights, bounce)
    fit = session.rank()
    assert session.set_mode("like").mode == "like" and session.query.mode == "like"
    like = session.rank()
    assert like.query.mode == "like" and not np.allclose(fit.scores, like.scores)
    index = session.index
    vector = session._asked[1].vector     # the cached bounce vector: both modes' class blocks
    assert vector.shape == (2 * len(DRUM_CLASSES), 256)
    like_block = vector[len(DRUM_CLASSES):]
    rows = class_indices(DRUM_CLASSES, [index.category(i) for i in range(len(index))])
    expected = [float(index.vector(i) @ like_block[c] / np.linalg.norm(like_block[c])) for i, c in enumerate(rows)]
    assert np.allclose(like.scores, expected, atol=2e-2)
    session.set_mode("fit")
    assert np.allclose(session.rank().scores, fit.scores)    # back to fit: the same cached vector, its fit block
    session.close()


def test_a_model_without_like_queries_refuses_the_mode(indexed, tiny_weights, bounce):
    session = open_session(indexed, tiny_weights, bounce)
    assert session.modes() == ("fit",)
    with pytest.raises(ValueError, match="cannot answer 'sounds like' queries"):
        session.set_mode("like")
    with pytest.raises(ValueError, match="unknown mode"):
        session.set_mode("loud")
    session.close()


def test_cli_like_mode_json_is_sorted_by_score_within_the_asked_classes(like_db, like_weights, bounce, capsys):
    args = ["rank", str(bounce), "--db", str(like_db), "--weights", str(like_weights), "--json", "--top", "0"]
    assert main(args + ["--mode", "like", "--category", "kick"]) == 0
    kicks = json.loads(capsys.readouterr().out)
    assert {r["category"] for r in kicks} == {"kick"} and len(kicks) == 2
    assert [r["score"] for r in kicks] == sorted((r["score"] for r in kicks), reverse=True)
    assert main(args + ["--mode", "like", "--category", "kick", "--category", "hihat"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert sorted(r["category"] for r in both) == ["hihat", "hihat", "kick", "kick"]
    assert [r["score"] for r in both] == sorted((r["score"] for r in both), reverse=True)   # interleaved by score
    assert main(args + ["--category", "kick"]) == 0                                        # --mode fit: the default
    fit_kicks = json.loads(capsys.readouterr().out)
    assert {r["path"]: r["score"] for r in fit_kicks} != {r["path"]: r["score"] for r in kicks}


def test_cli_like_mode_usage_errors_exit_2_and_a_model_without_it_exits_1(indexed, tiny_weights, bounce,
                                                                           capsys):
    for argv in (["rank", "x.wav", "--mode", "like"], ["rank", "x.wav", "--mode", "like", "--category", "non_drum"],
                 ["rank", "x.wav", "--mode", "loud", "--category", "kick"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
        assert "--mode" in capsys.readouterr().err
    assert main(["rank", str(bounce), "--db", str(indexed), "--weights", str(tiny_weights), "--mode", "like",
                 "--category", "kick"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("samplematch: this model cannot answer 'sounds like' queries (its folder has no hit matching: "
                   "samplematch-train fit-hits)")
