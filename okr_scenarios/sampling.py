"""Random inputs: three-point estimates, keyed random streams, optional Sobol sampling.

Every uncertain input and every noise series draws from its own stream, keyed by a stable
name (``"effect:I1:KR1.1:lift"``, ``"noise:KR1.1"``). Streams come in fixed blocks of
`BLOCK` draws, so draw ``i`` depends only on the seed, the name and ``i``: adding a scenario
or an initiative leaves every other stream as it was, all scenarios of a run share their
numbers (common random numbers), and the first ``n`` draws of a run are the same whatever
the total.
"""

from __future__ import annotations

import copy
import hashlib
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc

from .errors import SimulationError
from .model import Estimate

#: Draws per random block. Fixed: changing it changes every number for a given seed.
BLOCK = 8192
#: ``Phi^-1(0.9)``: a normal's 90th percentile in standard deviations.
Z90 = float(ndtri(0.9))
METHODS = ("random", "sobol")
Method = Literal["random", "sobol"]
_EPS = 2.0**-53
#: Below this coefficient of variation the noise is exactly 1 (a gamma with shape 1/cv**2
#: would overflow; the difference is far below any reported digit).
MIN_CV = 1e-6


def resolve_seed(seed: int | np.random.Generator | np.random.SeedSequence | None) -> int:
    """Turn a seed argument into the integer entropy that keys every stream.

    ``None`` draws fresh entropy (recorded in the result, so the run can be repeated);
    a Generator gives one integer from it. ``0`` is a seed like any other.
    """
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(2, np.uint64)[0])
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SimulationError(f"seed must be a whole number >= 0, a numpy Generator or None; "
                              f"got {seed!r}")
    return int(seed)


def stream_key(name: str) -> tuple[int, int]:
    """A stable 64-bit key for a stream name, as two 32-bit words (same on every machine)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def split_normal_ppf(u: np.ndarray, estimate: Estimate) -> np.ndarray:
    """Quantile function of the three-point estimate's split normal, at probabilities ``u``.

    The median is ``expected``; below it the spread puts ``low`` at the 10th percentile,
    above it ``high`` at the 90th, so all three quantiles are matched exactly. When
    ``low > 0`` the split normal is on the log scale (the quantity stays positive).
    """
    return split_normal_from_z(ndtri(u), estimate)


def split_normal_from_z(z: np.ndarray, estimate: Estimate) -> np.ndarray:
    """The split normal at standard normal scores ``z`` (``z = Phi^-1(u)``)."""
    return split_normal_columns(np.asarray(z)[None], [estimate])[0]


def split_normal_columns(z: np.ndarray, estimates: Sequence[Estimate]) -> np.ndarray:
    """`split_normal_from_z` for many estimates at once: row ``i`` of ``z`` (m, n) by
    ``estimates[i]``, in one vectorised pass."""
    low, mid, high = (np.array([getattr(e, f) for e in estimates], dtype=float)[:, None]
                      for f in ("low", "expected", "high"))
    log = (low > 0)[:, 0]
    for a in (low, mid, high):
        a[log] = np.log(a[log])
    x = mid + z * np.where(z < 0, (mid - low) / Z90, (high - mid) / Z90)
    if log.any():
        x[log] = np.exp(x[log])
    return x


class Streams:
    """Uniform and gamma draws for a range of draws, keyed by stream name.

    Parameters
    ----------
    seed
        Integer entropy (see `resolve_seed`).
    method
        ``"random"``: independent pseudo-random streams. ``"sobol"``: the uniform inputs
        named in ``sobol_names`` come from one scrambled Sobol sequence (one dimension per
        name, in sorted order); noise stays pseudo-random. Sobol balance is best when the
        number of draws is a power of two.
    cache
        Keep every array drawn, so that re-running parts of a simulation (decision analysis)
        does not draw again. Off for plain simulation, whose memory must stay bounded.
    """

    def __init__(self, seed: int, method: Method = "random", sobol_names: Sequence[str] = (),
                 cache: bool = False):
        if method not in METHODS:
            raise SimulationError(f"'{method}' is not a sampling method; expected one of "
                                  f"{', '.join(METHODS)}")
        self.seed, self.method = seed, method
        self._sobol_dims = {name: i for i, name in enumerate(sorted(set(sobol_names)))}
        self._sobol_block: tuple[int, int, np.ndarray] | None = None
        self._memo: dict | None = {} if cache else None
        self._fixed: dict[str, float] = {}

    def with_fixed(self, name: str, z: float) -> Streams:
        """These streams with input ``name`` pinned at normal score ``z`` in every draw
        (``-Z90`` is its 10th percentile, ``Z90`` its 90th); the cache is shared."""
        other = copy.copy(self)
        other._fixed = {**self._fixed, name: z}
        return other

    def _cached(self, key: tuple, make):
        if self._memo is None:
            return make()
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def _generator(self, name: str, block: int) -> np.random.Generator:
        seq = np.random.SeedSequence(self.seed, spawn_key=(*stream_key(name), block))
        return np.random.Generator(np.random.SFC64(seq))

    def _blocks(self, start: int, stop: int):
        """(block index, count) pairs covering draws ``start..stop`` (start on a block edge)."""
        if start % BLOCK:
            raise ValueError("draw ranges must start on a block boundary")
        for first in range(start, stop, BLOCK):
            yield first // BLOCK, min(BLOCK, stop - first)

    def normal(self, name: str, start: int, stop: int) -> np.ndarray:
        """Standard normal scores, shape ``(stop - start,)``.

        Pseudo-random normals directly, or ``Phi^-1`` of the Sobol uniforms for a Sobol input.
        """
        if name in self._fixed:
            return np.full(stop - start, self._fixed[name])
        if self.method == "sobol" and name in self._sobol_dims:
            return ndtri(self.uniform(name, start, stop))
        return self._cached(("normal", name, start, stop), lambda: np.concatenate(
            [self._generator(name, b).standard_normal(n) for b, n in self._blocks(start, stop)]))

    def uniform(self, name: str, start: int, stop: int) -> np.ndarray:
        """Uniforms in the open interval (0, 1), shape ``(stop - start,)``."""
        def make():
            if self.method == "sobol" and name in self._sobol_dims:
                u = self._sobol(start, stop)[:, self._sobol_dims[name]]
            else:
                u = np.concatenate([self._generator(name, b).random(n)
                                    for b, n in self._blocks(start, stop)])
            return np.clip(u, _EPS, 1 - _EPS)
        return self._cached(("uniform", name, start, stop), make)

    def gamma_noise(self, name: str, cv: float, start: int, stop: int, weeks: int) -> np.ndarray:
        """Multiplicative noise with mean 1 and coefficient of variation ``cv``, (draws, weeks).

        A gamma with shape ``1/cv**2`` and scale ``cv**2``; ``cv < MIN_CV`` gives exactly 1.
        """
        if cv < MIN_CV:
            return np.ones((stop - start, weeks))
        shape, scale = 1.0 / cv**2, cv**2
        return self._cached(("gamma", name, start, stop), lambda: np.concatenate(
            [self._generator(name, b).gamma(shape, scale, size=(n, weeks))
             for b, n in self._blocks(start, stop)]))

    def _sobol(self, start: int, stop: int) -> np.ndarray:
        if self._sobol_block is None or self._sobol_block[:2] != (start, stop):
            seq = np.random.SeedSequence(self.seed, spawn_key=stream_key("sobol"))
            engine = qmc.Sobol(len(self._sobol_dims), scramble=True,
                               seed=np.random.Generator(np.random.PCG64(seq)))
            if start:
                engine.fast_forward(start)
            with warnings.catch_warnings():  # balance warning for non-power-of-two chunks
                warnings.simplefilter("ignore", UserWarning)
                self._sobol_block = (start, stop, engine.random(stop - start))
        return self._sobol_block[2]
