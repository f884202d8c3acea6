"""The query session, headless: one open of the bounce, the vector cache, rankings as arrays, corrections."""
import threading

import numpy as np
import pytest
import soundfile as sf

from model import audio
from model.windows import excerpt_starts
from samplematch_gui.bounce_file import BounceFile
from samplematch_gui.jobs import Cancelled
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.query_session import Query, QuerySession
from samplematch_gui.scanner import scan_library
from tests import sounds
from tests.ui_fakes import LIBRARY_SIZE, SlowEmbedder


@pytest.fixture
def library(tmp_path, sample_library, tiny_embedder):
    db_path = tmp_path / "lib.db"
    with LibraryDB(db_path) as db:
        scan_library(db, [db.add_folder(sample_library)], tiny_embedder)
    return db_path


@pytest.fixture
def session(library, tiny_embedder):
    s = QuerySession(library)
    s.embedder = SlowEmbedder(tiny_embedder)  # counts the query encodings
    s.load_index()
    yield s
    s.close()


def _cosines(db_path, model_id, vector):
    with LibraryDB(db_path) as db:
        rows, matrix = db.embeddings(model_id)
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return {r.path: float(s) for r, s in zip(rows, unit @ (vector / np.linalg.norm(vector)), strict=True)}


def test_a_bounce_ranks_the_library_best_first_as_arrays(session, library, bounce, tiny_embedder):
    assert session.open_bounce(bounce) == Query("bounce", str(bounce))
    ranking = session.rank()
    assert ranking.query == session.query and ranking.index is session.index
    assert ranking.order.dtype == np.int64 and ranking.scores.dtype == np.float32
    assert sorted(ranking.order.tolist()) == list(range(LIBRARY_SIZE))
    shown = ranking.scores[ranking.order]
    assert np.all(np.diff(shown) <= 0)
    vector = tiny_embedder.embed_query_excerpts(audio.load_excerpts(bounce, tiny_embedder.sample_rate,
                                                                    tiny_embedder.cfg.query_seconds, 10))
    exact = _cosines(library, tiny_embedder.model_id, vector)
    got = {session.index.paths[i]: float(ranking.scores[i]) for i in ranking.order}
    assert got == pytest.approx(exact, abs=5e-3)  # int8 rows: within quantisation of float32
    kicks = session.rank({"kick"}, top=1)
    assert [session.index.category(i) for i in kicks.order] == ["kick"]


def test_one_drop_opens_the_bounce_once(session, bounce, monkeypatch):
    opened = []
    real = audio.AudioFile

    class Counting(real):
        def __init__(self, path):
            opened.append(str(path))
            super().__init__(path)

    monkeypatch.setattr(audio, "AudioFile", Counting)
    session.open_bounce(bounce)
    session.overview_job(2000)(None, print)
    session.rank()
    session.set_region(2.0, 8.0)
    session.rank()
    assert opened == [str(bounce)]


def test_excerpts_are_the_files_own_frames(tmp_path, tiny_embedder):
    rate = tiny_embedder.sample_rate
    wave = sounds.song(np.random.default_rng(5), 10.0, rate)
    path = tmp_path / "at_model_rate.wav"
    sf.write(path, wave, rate, subtype="FLOAT")
    mono = sf.read(path, dtype="float32", always_2d=True)[0].mean(axis=1)
    bounce = BounceFile(path)
    window = int(round(4.0 * rate))
    excerpts = bounce.excerpts(rate, 4.0, 5, (1.0, 9.0))
    starts = excerpt_starts(len(mono), window, 5, (rate, 9 * rate))
    np.testing.assert_array_equal(excerpts, np.stack([mono[s:s + window] for s in starts]))
    with pytest.raises(audio.AudioError, match="after the end of the file"):
        bounce.excerpts(rate, 4.0, 5, (20.0, 30.0))


def test_the_query_vector_is_cached_per_region_in_frames(session, bounce):
    session.open_bounce(bounce)
    first = session.rank()
    assert session.embedder.query_calls == 1
    np.testing.assert_array_equal(session.rank().scores, first.scores)
    assert session.embedder.query_calls == 1  # the same query again: no encoding
    session.set_region(2.0, 8.0)
    session.rank()
    session.set_region(2.0 + 1e-7, 8.0)  # the same frames
    session.rank()
    assert session.embedder.query_calls == 2
    session.excerpts = 3
    session.rank()
    assert session.embedder.query_calls == 3


def test_more_like_this_and_back(session, bounce):
    session.open_bounce(bounce)
    chosen = session.index.paths[3]
    session.more_like(chosen)
    like = session.rank()
    assert session.index.paths[like.order[0]] == chosen
    assert like.scores[like.order[0]] == pytest.approx(1.0, abs=1e-5)
    assert session.back_to_bounce() == session.query == Query("bounce", str(bounce))
    session.more_like("/not/in/the/library.wav")
    with pytest.raises(KeyError, match="not in the indexed library"):
        session.rank()


def test_a_correction_is_saved_and_applied_to_the_index_in_place(session, library):
    index = session.index
    path = next(p for i, p in enumerate(index.paths) if index.category(i) == "crash")
    i = index.position(path)
    assert session.correct_categories([path], "tom") == 1
    assert index.category(i) == "tom" and index.user_category(i) == "tom"
    assert index.position(path) in index.rank(index.vector(i), {"tom"})[0]
    with LibraryDB(library) as db:
        assert next(r for r in db.rows() if r.path == path).category == "tom"
    assert session.correct_categories([path], "tom") == 0  # nothing changed
    assert session.correct_categories([path], "cowbell") == 0
    assert session.correct_categories([path], "crash") == 1  # its automatic category: automatic again
    assert index.user_category(i) is None
    with LibraryDB(library) as db:
        assert next(r for r in db.rows() if r.path == path).user_category is None
    assert session.correct_categories(index.paths + ["/not/indexed.wav"], "other") == len(index.paths)
    with LibraryDB(library) as db:
        assert {r.category for r in db.rows()} == {"other"}


def test_a_correction_made_while_the_index_is_read_is_kept(session):
    path = session.index.paths[0]
    job = session.index_job()  # a reload starts (a scan's refresh) ...
    loaded = job(threading.Event(), print)  # ... and reads the library ...
    assert session.correct_categories([path], "ride")  # ... before the correction
    session.set_index(loaded)
    assert session.index is loaded.index and session.index.category(0) == "ride"
    session.load_index()  # a later read has it from the library itself
    assert session.index.category(0) == "ride" and not session._corrections


def test_rows_without_a_model_and_a_closed_bounce(library, bounce):
    s = QuerySession(library, readonly=True)
    index = s.load_index()  # no model yet: the rows, nothing to rank
    assert len(index) == LIBRARY_SIZE and not s.rankable()
    unranked = s.unranked()
    assert not unranked.scored and np.isnan(unranked.scores).all() and len(unranked.order) == LIBRARY_SIZE
    s.open_bounce(bounce)
    overview = s.overview_job(100)
    s.clear()
    assert s.query is None and s.bounce is None
    with pytest.raises(Cancelled):  # the closed bounce's stale job stops
        overview(None, print)


# bounces that are no query -----------------------------------------------------------------------
def _bounce(path, wave, rate=44100):
    sf.write(path, wave, rate, subtype="FLOAT")
    return path


def test_a_silent_bounce_is_refused_in_words_not_ranked(session, tmp_path):
    session.open_bounce(_bounce(tmp_path / "silent.wav", np.zeros((12 * 44100, 2), np.float32)))
    ranking = session.rank()
    assert ranking.problem.startswith("silent.wav is silent (digital silence)")
    assert not ranking.scored and np.isnan(ranking.scores).all() and np.isnan(ranking.fit).all()
    assert len(ranking.order) == LIBRARY_SIZE and session.embedder.query_calls == 0  # nothing was encoded


def test_a_nearly_silent_bounce_is_refused_with_its_level(session, tmp_path):
    hiss = np.random.default_rng(0).standard_normal(12 * 44100).astype(np.float32) * 10 ** (-75 / 20)
    session.open_bounce(_bounce(tmp_path / "hiss.wav", hiss))
    problem = session.rank().problem
    assert problem.startswith("hiss.wav is nearly silent (-75 dBFS)") and "nothing to match" in problem


def test_a_bounce_or_region_shorter_than_an_excerpt_is_refused(session, tmp_path, bounce):
    session.open_bounce(_bounce(tmp_path / "clip.wav", sounds.song(np.random.default_rng(3), 2.0)))
    problem = session.rank().problem
    assert problem.startswith("clip.wav is only 2.0 s long") and "at least 4 s" in problem
    session.open_bounce(bounce)
    session.set_region(3.0, 4.5)
    assert session.rank().problem.startswith("The region is only 1.5 s long")
    session.set_region(10.0, 30.0)  # past the end of the 12-s file: 2 s of it
    assert session.rank().problem.startswith("The region is only 2.0 s long")
    session.set_region(20.0, 30.0)  # after the end: an error of its own
    with pytest.raises(audio.AudioError, match="after the end of the file"):
        session.rank()
    session.set_region(2.0, 8.0)
    ranking = session.rank()
    assert ranking.problem is None and ranking.scored and session.embedder.query_calls == 1


def test_a_silent_region_is_refused_and_silent_excerpts_are_left_out(session, tmp_path, tiny_embedder):
    rate = tiny_embedder.sample_rate
    music = sounds.song(np.random.default_rng(4), 10.0, rate)[:, 0]
    wave = np.concatenate([np.zeros(10 * rate, np.float32), music])  # 10 s of silence, then 10 s of music
    path = _bounce(tmp_path / "late_start.wav", wave, rate)
    session.open_bounce(path)
    session.set_region(1.0, 9.0)
    assert session.rank().problem.startswith("The region is silent (digital silence)")
    assert "move it over a part of the track with sound" in session.rank().problem
    encoded = []
    real = session.embedder.embed_query_excerpts
    session.embedder.embed_query_excerpts = lambda batch: encoded.append(batch) or real(batch)
    session.set_region(0.0, 20.0)
    assert session.rank().scored
    bounce = BounceFile(path)
    try:
        excerpts = bounce.excerpts(rate, tiny_embedder.cfg.query_seconds, 10, (0.0, 20.0))
    finally:
        bounce.close()
    loud = [e for e in excerpts if np.abs(e).max() > 0]
    assert 0 < len(loud) < len(excerpts)  # some excerpts fall in the silence ...
    np.testing.assert_array_equal(encoded[-1], np.stack(loud))  # ... and only the others make the query


def test_fit_is_the_percentile_among_the_librarys_drum_samples(session, bounce):
    session.open_bounce(bounce)
    ranking = session.rank()
    fit = ranking.fit[ranking.order]
    assert fit[0] == 100.0 and fit[-1] == 0.0 and np.all(np.diff(fit) <= 0)
    raw = ranking.scores[ranking.order]
    n = len(raw)
    assert fit.tolist() == pytest.approx([100.0 * np.sum(raw < s) / (n - 1) for s in raw])
    kicks = session.rank({"kick"})  # a category filter changes what is listed, not what fit compares with
    np.testing.assert_array_equal(kicks.fit[kicks.order], ranking.fit[kicks.order])


def test_playback_span_follows_the_region_and_the_cursor(session, bounce):
    assert session.playback_span(None, 300) is None
    session.open_bounce(bounce)
    assert session.playback_span(None, 300) == pytest.approx((0.0, 12.0))
    session.set_region(2.0, 8.0)
    assert session.playback_span(None, 300) == (2.0, 8.0)
    assert session.playback_span(5.0, 300) == (5.0, 8.0)  # a click inside the region: on to its end
    assert session.playback_span(9.0, 300) == pytest.approx((9.0, 12.0))  # after it: to the file's end
    assert session.playback_span(2.0, 1.5) == (2.0, 3.5)
    assert session.playback_span(12.0, 300) is None
    wave = session.playback_job(2.0, 3.0, 44100)(None, print)
    mono = sf.read(bounce, dtype="float32")[0].mean(axis=1)
    np.testing.assert_allclose(wave, audio.resample(mono[96000:144000], 48000, 44100), atol=1e-6)
