"""How robust is the flag? A Monte Carlo over the settings the analyst chose by judgement.

Every run perturbs each weight by a uniform factor 1 +- `score.gewicht_variatie` (then renormalises to
sum 1) and each 'sterk' threshold by 1 +- `score.drempel_variatie` (one draw per criterion per run, the
same for all terreinen; the integer multimodal threshold is not perturbed), then re-applies the sieve
and the flag rule with the score percentile recomputed per run. Runs are vectorised: arrays of shape
(runs, terreinen[, criteria]), processed in chunks of runs to bound memory.

flag_stabiliteit = share of runs in which the terrein is flagged.
grensgeval = the share of runs that agree with the terrein's own outcome is below `score.grensgeval_onder`:
a flagged terrein with flag_stabiliteit < 0.8, or an unflagged one with flag_stabiliteit > 0.2 (defaults).
"""
from __future__ import annotations

import numpy as np

from pipeline.score.flag import branches
from pipeline.score.qualities import strong
from pipeline.score.sieve import passes

CHUNK_CELLS = 4_000_000  # runs x terreinen x criteria per chunk (~4 MB of booleans)


def flag_stability(raw: np.ndarray, norm: np.ndarray, weights: np.ndarray, limits: np.ndarray, *,
                   criteria: list[str], perturb: np.ndarray, runs: int, seed: int, gewicht_variatie: float,
                   drempel_variatie: float, min_sterk: int, percentiel: float) -> np.ndarray:
    """Share of perturbed runs in which each terrein is flagged (shape (n,)); same seed = same result."""
    n, c = raw.shape
    if n == 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    w = weights[None, :] * (1 + rng.uniform(-gewicht_variatie, gewicht_variatie, (runs, c)))
    total = w.sum(axis=1, keepdims=True)
    w = np.divide(w, total, out=np.full_like(w, 1.0 / c), where=total > 0)
    factor = 1 + rng.uniform(-drempel_variatie, drempel_variatie, (runs, c))
    t = limits[None, :] * np.where(perturb[None, :], factor, 1.0)
    flagged = np.zeros(n, dtype=np.int64)
    step = max(1, CHUNK_CELLS // max(n * c, 1))
    for start in range(0, runs, step):
        stop = min(runs, start + step)
        sterk = strong(raw[None, :, :], t[start:stop, None, :])          # (r, n, C)
        score = w[start:stop] @ norm.T                                   # (r, n)
        by_sterk, by_score, _ = branches(passes(sterk, criteria), sterk.sum(axis=-1), score,
                                         min_sterk=min_sterk, percentiel=percentiel)
        flagged += (by_sterk | by_score).sum(axis=0)
    return flagged / runs


def borderline(vlag: np.ndarray, stabiliteit: np.ndarray, grensgeval_onder: float) -> np.ndarray:
    """True where fewer than `grensgeval_onder` of the runs agree with the terrein's own flag."""
    agree = np.where(vlag, stabiliteit, 1.0 - stabiliteit)
    return agree < grensgeval_onder
