"""Criterion weights (validated when the configuration is loaded): from `score.gewichten` (normalised to sum 1) or from an AHP pairwise matrix.

AHP (Saaty): the weights are the principal eigenvector of the pairwise comparison matrix; the matrix
is only trusted when its consistency ratio CR = CI / RI is below 0.1, with CI = (lambda_max - n) / (n - 1)
and RI Saaty's random index for n criteria.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CRITERIA = ["water", "milieuruimte", "multimodaal", "cluster", "omvang", "netcapaciteit"]
# the qualities that can carry the flag (REH B.1: waterontsluiting, milieuruimte, infrastructuur, clusters);
# omvang and netcapaciteit only support the score. Unused potential is not a criterion: it is the second axis of
# the typology (pipeline/score/typologie.py), so the same hectares never count as quality and as room.
KWALITEITEN = ["water", "milieuruimte", "multimodaal", "cluster"]

# Saaty's random consistency index per matrix size n (n = 1, 2 are always consistent)
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
MAX_CR = 0.1
RECIPROCAL_TOLERANCE = 0.02  # users type 0.33 for 1/3


def normalise_weights(weights: dict[str, float], criteria: list[str] = CRITERIA) -> pd.Series:
    """Weights per criterion summing to 1; every criterion must be given once, none negative."""
    problems = []
    missing = [c for c in criteria if c not in weights]
    unknown = [c for c in weights if c not in criteria]
    if missing:
        problems.append(f"missing criteria {missing}")
    if unknown:
        problems.append(f"unknown criteria {unknown} (known: {criteria})")
    negative = [c for c, w in weights.items() if not np.isfinite(w) or w < 0]
    if negative:
        problems.append(f"weights must be finite and >= 0, got {[(c, weights[c]) for c in negative]}")
    if not problems and sum(weights[c] for c in criteria) <= 0:
        problems.append("the weights sum to 0")
    if problems:
        raise ValueError("; ".join(problems))
    series = pd.Series({c: float(weights[c]) for c in criteria})
    return series / series.sum()


def consistency_ratio(matrix) -> tuple[np.ndarray, float, float]:
    """(weights, lambda_max, CR) of a positive reciprocal matrix; weights = principal eigenvector, sum 1."""
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    i = int(np.argmax(values.real))
    lam = float(values[i].real)
    vec = np.abs(vectors[:, i].real)
    weights = vec / vec.sum()
    if n <= 2:
        return weights, lam, 0.0
    ci = (lam - n) / (n - 1)
    ri = RANDOM_INDEX.get(n, RANDOM_INDEX[10])
    return weights, lam, max(0.0, ci / ri)


def ahp_weights(matrix, criteria: list[str] = CRITERIA) -> tuple[pd.Series, float]:
    """Weights and CR from `score.ahp_matrix`; ValueError saying what is wrong when it cannot be used."""
    n = len(criteria)
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"expected a {n}x{n} matrix of numbers in the order {criteria}") from None
    if a.shape != (n, n):
        raise ValueError(f"expected a {n}x{n} matrix (rows and columns in the order "
                          f"{criteria}), got shape {a.shape}")
    problems = []
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        problems.append("every entry must be a positive number")
    else:
        if not np.allclose(np.diag(a), 1.0):
            problems.append("the diagonal must be 1")
        bad = np.argwhere(np.abs(a * a.T - 1.0) > RECIPROCAL_TOLERANCE)
        bad = [(criteria[i], criteria[j]) for i, j in bad if i < j]
        if bad:
            problems.append(f"not reciprocal (a[j][i] must be 1 / a[i][j]) for pairs {bad}")
    if problems:
        raise ValueError("; ".join(problems))
    weights, lam, cr = consistency_ratio(a)
    if cr >= MAX_CR:
        raise ValueError(f"consistency ratio CR = {cr:.3f} (lambda_max {lam:.3f}) is not "
                          f"below {MAX_CR}; revise the pairwise judgements")
    return pd.Series(weights, index=criteria), cr


def resolve_weights(score) -> tuple[pd.Series, str, float | None]:
    """The weights a run uses: (weights, source 'gewichten'/'ahp', CR or None)."""
    if score.ahp_matrix is not None:
        weights, cr = ahp_weights(score.ahp_matrix)
        return weights, "ahp", cr
    return normalise_weights(score.gewichten), "gewichten", None
