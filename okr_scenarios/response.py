"""Media response: adstock (carryover) and the Hill saturation curve, on plain arrays."""

from __future__ import annotations

import numpy as np


def adstock(spend: np.ndarray, carryover: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """Effective spend ``e(t) = (1 - c) x(t) + c e(t - 1)``.

    Parameters
    ----------
    spend : (weeks, n)
        Weekly spend ``x(t)`` for weeks 1..T.
    carryover : (n,)
        Decay ``c`` per series, ``0 <= c < 1``.
    initial : (n,)
        ``e(0)``, the level before the quarter (also used for every earlier week).

    Returns
    -------
    (weeks + 1, n)
        Row 0 is ``e(0)``; row ``t`` is week ``t``.
    """
    out = np.empty((spend.shape[0] + 1, spend.shape[1]))
    out[0] = initial
    for t in range(1, out.shape[0]):
        out[t] = (1 - carryover) * spend[t - 1] + carryover * out[t - 1]
    return out


def lagged(series: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Week ``t`` of each column shifted back by its lag: ``e(t - lag)`` for t = 1..T.

    ``series`` is (weeks + 1, n) with row 0 the pre-quarter value, which also stands for
    every week before the quarter.
    """
    weeks = series.shape[0] - 1
    rows = np.maximum(np.arange(1, weeks + 1)[:, None] - lags[None, :], 0)
    return np.take_along_axis(series, rows, axis=0)


def hill(x: np.ndarray, half: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Hill response ``x^s / (x^s + K^s)``; where ``K`` is NaN the response is linear, ``x``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        xs = np.power(x, shape)
        saturating = xs / (xs + np.power(half, shape))
    return np.where(np.isnan(half), x, saturating)
