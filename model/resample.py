"""Band-limited resampling in numpy: scipy.signal.resample_poly's numbers (its Kaiser-windowed FIR, beta 5, and
its alignment; tests prove them equal to float tolerance) without importing scipy.signal, which takes 0.8 s
and would be most of the time of a `samplematch rank` call or of the window's start.
"""
from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np

KAISER_BETA = 5.0
HALF_LENGTH_PER_RATE = 10  # filter half-length in taps of the higher rate, as resample_poly has it


@lru_cache(maxsize=32)
def lowpass(up: int, down: int) -> np.ndarray:
    """scipy.signal.firwin(2 * half_len + 1, 1 / max(up, down), window=("kaiser", 5.0)) * up, float32
    (read-only: one per rate pair, shared)."""
    max_rate = max(up, down)
    taps = 2 * HALF_LENGTH_PER_RATE * max_rate + 1
    m = np.arange(taps) - 0.5 * (taps - 1)
    cutoff = 1.0 / max_rate
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(taps, KAISER_BETA)
    h = (h / h.sum()).astype(np.float32)
    h *= np.float32(up)
    h.flags.writeable = False
    return h


def _output_length(filter_length: int, n_in: int, up: int, down: int) -> int:
    """scipy.signal._upfirdn._output_len."""
    n = (n_in + (filter_length + (-filter_length % up)) // up - 1) * up
    return n // down + bool(n % down)


def resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """A 1-D float32 signal at up / down times its rate: upsample by up, low-pass, keep every down-th sample."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    g = gcd(up, down)
    up, down = up // g, down // g
    if up == down == 1:
        return x.copy()
    n_in = len(x)
    n_out = -(-n_in * up // down)
    half_len = HALF_LENGTH_PER_RATE * max(up, down)
    h = lowpass(up, down)
    # Zero-pad the filter to put the output samples at the centre, as resample_poly does.
    pre_pad = down - half_len % down
    post_pad = 0
    first = (half_len + pre_pad) // down
    while _output_length(len(h) + pre_pad + post_pad, n_in, up, down) < n_out + first:
        post_pad += 1
    h = np.concatenate([np.zeros(pre_pad, np.float32), h, np.zeros(post_pad, np.float32)])
    # Output k is sum_t h[p + up t] x[base - t] with base = k down // up and phase p = k down % up: outputs k,
    # k + up, k + 2 up ... share a phase and step down input samples, so each phase is one matrix-vector product.
    taps = -(-len(h) // up)
    phases = np.pad(h, (0, taps * up - len(h))).reshape(taps, up).T[:, ::-1]  # phases[p, s] = h[p + up (taps-1-s)]
    last_base = ((first + n_out - 1) * down) // up
    padded = np.concatenate([np.zeros(taps - 1, np.float32), x,
                             np.zeros(max(0, last_base + 1 - n_in), np.float32)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, taps)  # windows[b] = x[b - taps + 1 .. b]
    y = np.empty(n_out, np.float32)
    for k in range(first, min(first + up, first + n_out)):
        base = (k * down) // up
        count = len(range(k, first + n_out, up))
        y[k - first::up] = windows[base:base + down * (count - 1) + 1:down] @ phases[(k * down) % up]
    return y
