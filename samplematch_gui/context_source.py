"""What in-context audition reads, as one job for a worker: the bounce's analysis (from the cache, else read
and analysed: the whole file up to ANALYSIS_SECONDS, or the region alone when it lies beyond) and the region to
loop. The reads go through the query session's open bounce; the job touches no session state."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.audio import AudioError
from model.bounce_onsets import BounceAnalysis, analyse
from samplematch_gui.audition import PREVIEW_RATE
from samplematch_gui.jobs import Job
from samplematch_gui.onset_cache import AnalysisCache, analysis_key
from samplematch_gui.query_session import QuerySession

ANALYSIS_SECONDS = 600.0  # a bounce is analysed whole up to this long
LOOP_SECONDS = 300.0  # a longer region loops its first five minutes, as Play plays them
MIN_LOOP_SECONDS = 0.05


@dataclass(frozen=True)
class ContextSource:
    bounce: str
    key: str  # the analysis' cache key
    analysis: BounceAnalysis
    fresh: bool  # analysed by this job (not yet saved)
    loop: np.ndarray  # mono float32 at PREVIEW_RATE
    start: float  # seconds into the file where the loop starts


def context_job(session: QuerySession, cache: AnalysisCache) -> Job | None:
    """None without a bounce; raises OSError when its file has gone."""
    bounce = session.bounce
    if bounce is None:
        return None
    region = bounce.region
    span = (0.0, ANALYSIS_SECONDS) if region is None or region[1] <= ANALYSIS_SECONDS else region
    key = analysis_key(bounce.path, span)
    known = cache.in_memory(key)
    start, end = region or (0.0, LOOP_SECONDS)  # the whole file: read stops at its end
    read_span = session.playback_job(span[0], span[1], PREVIEW_RATE)
    read_loop = session.playback_job(start, min(end, start + LOOP_SECONDS), PREVIEW_RATE)

    def job(cancel, report) -> ContextSource:
        analysis = known or cache.load(key)
        fresh = analysis is None
        whole = None
        if analysis is None:
            whole = read_span(cancel, report)
            analysis = analyse(whole, PREVIEW_RATE, span[0], cancel)
        if whole is not None and span[0] == 0.0 and start * PREVIEW_RATE < len(whole):
            first = int(round(start * PREVIEW_RATE))
            loop = whole[first:first + int(round((min(end, start + LOOP_SECONDS) - start) * PREVIEW_RATE))].copy()
        else:
            loop = read_loop(cancel, report)
        if len(loop) < MIN_LOOP_SECONDS * PREVIEW_RATE:
            raise AudioError("the region to loop holds no audio")
        return ContextSource(bounce.path, key, analysis, fresh, np.ascontiguousarray(loop, np.float32), start)

    return job
