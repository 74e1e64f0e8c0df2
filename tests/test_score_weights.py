"""Weights from the settings and from an AHP pairwise matrix (Saaty), with its consistency ratio.

Both are checked when the configuration is loaded, so a bad weight stops the run before ingest."""
import numpy as np
import pytest
import yaml

from pipeline.config import CRITERIA, DEFAULT_CONFIG, ConfigError, load_config
from pipeline.config.weights import ahp_weights, consistency_ratio, normalise_weights, resolve_weights
from score_fixtures import make_config


def load_with_score(tmp_path, **score):
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["score"] = score
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_config(path)


def test_weights_are_normalised_to_one():
    w = normalise_weights({c: 2.0 for c in CRITERIA})
    assert w.sum() == pytest.approx(1.0)
    assert w.tolist() == pytest.approx([1 / 6] * 6)


def test_bad_weights_are_refused_at_load_naming_the_setting(tmp_path):
    with pytest.raises(ConfigError, match=r"score\.gewichten: Value error, missing criteria \['netcapaciteit'\]"):
        load_with_score(tmp_path, gewichten={c: 1.0 for c in CRITERIA[:-1]})
    with pytest.raises(ConfigError, match=r"score\.gewichten: .*>= 0"):
        load_with_score(tmp_path, gewichten={**{c: 1.0 for c in CRITERIA}, "water": -1.0})


def test_unused_room_is_no_criterion_and_old_settings_are_refused(tmp_path):
    """onbenut left the criteria (domain.md, decision 2026-11-25): a weight or a 'sterk' threshold for it is refused
    at load, naming the setting; the default weights are the six criteria and sum to 1."""
    assert CRITERIA == ["water", "milieuruimte", "multimodaal", "cluster", "omvang", "netcapaciteit"]
    with pytest.raises(ConfigError, match=r"score\.gewichten: Value error, unknown criteria \['onbenut'\]"):
        load_with_score(tmp_path, gewichten={**{c: 1.0 for c in CRITERIA}, "onbenut": 0.1})
    with pytest.raises(ConfigError, match=r"score\.sterk_onbenut_ha: Extra inputs are not permitted"):
        load_with_score(tmp_path, sterk_onbenut_ha=5.0)
    w = resolve_weights(make_config(tmp_path).score)[0]
    assert w.to_dict() == pytest.approx({"water": 0.30, "milieuruimte": 0.30, "multimodaal": 0.15, "cluster": 0.10,
                                         "omvang": 0.10, "netcapaciteit": 0.05})


def test_consistent_matrix_has_cr_zero_and_returns_the_weights():
    """a_ij = w_i / w_j is perfectly consistent: lambda_max = n, CI = 0, CR = 0."""
    w = np.array([0.30, 0.30, 0.15, 0.10, 0.10, 0.05])
    matrix = w[:, None] / w[None, :]
    weights, cr = ahp_weights(matrix.tolist())
    assert cr == pytest.approx(0.0, abs=1e-9)
    assert weights.to_numpy() == pytest.approx(w)
    assert list(weights.index) == CRITERIA


def test_textbook_three_by_three_cr():
    """Saaty's classic [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]].
    For a 3x3 reciprocal matrix with a12 = a, a13 = b, a23 = c the largest eigenvalue is
        lambda_max = 1 + (b / (a c))^(1/3) + (a c / b)^(1/3)
    here a c / b = 9 / 5 = 1.8: 1.8^(1/3) = 1.21644, 1.8^(-1/3) = 0.82207, lambda_max = 3.03851;
    CI = (3.03851 - 3) / 2 = 0.019256; RI(3) = 0.58; CR = 0.019256 / 0.58 = 0.0332.
    Weights (geometric row means 2.4662, 1, 0.4055 normalised; exact for 3x3): 0.6370, 0.2583, 0.1047."""
    weights, lam, cr = consistency_ratio([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert lam == pytest.approx(3.03851, abs=1e-5)
    assert cr == pytest.approx(0.0332, abs=1e-4)
    assert weights == pytest.approx([0.6370, 0.2583, 0.1047], abs=1e-4)


def test_inconsistent_matrix_is_refused_naming_the_setting():
    """water >> milieuruimte >> multimodaal >> water: a cycle, CR far above 0.1."""
    m = np.ones((6, 6))
    for i, j, v in [(0, 1, 9), (1, 2, 9), (2, 0, 9)]:
        m[i, j], m[j, i] = v, 1 / v
    with pytest.raises(ValueError, match=r"consistency ratio CR = \d+\.\d+ .*not below 0\.1"):
        ahp_weights(m.tolist())


@pytest.mark.parametrize("matrix, message", [
    ([[1, 2], [0.5, 1]], r"expected a 6x6 matrix"),
    (np.ones((7, 7)).tolist(), r"expected a 6x6 matrix"),   # the matrix of the former seven criteria
    ((np.ones((6, 6)) * 2).tolist(), r"diagonal must be 1"),
    ([[1 if i == j else 2 for j in range(6)] for i in range(6)], r"not reciprocal"),
    ([[1 if i == j else -1 for j in range(6)] for i in range(6)], r"positive"),
])
def test_malformed_matrix_is_refused_at_load(tmp_path, matrix, message):
    with pytest.raises(ConfigError, match=r"score\.ahp_matrix: .*" + message):
        load_with_score(tmp_path, ahp_matrix=matrix)


def test_ahp_matrix_from_the_settings_replaces_gewichten(tmp_path):
    config = make_config(tmp_path, ahp_matrix=np.ones((6, 6)).tolist())
    weights, bron, cr = resolve_weights(config.score)
    assert bron == "ahp" and cr == pytest.approx(0.0, abs=1e-9)
    assert weights.tolist() == pytest.approx([1 / 6] * 6)
    weights, bron, cr = resolve_weights(make_config(tmp_path).score)
    assert bron == "gewichten" and cr is None and weights["water"] == pytest.approx(0.30)
