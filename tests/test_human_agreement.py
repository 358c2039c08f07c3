"""Agreement and preference statistics against small published, hand-checkable examples."""
import math
import pytest
from agentic_lab.human.agreement import (AgreementError, bradley_terry, bt_to_elo, cohen_kappa, counts_table, elo_ratings, fleiss_kappa,
                                         human_metric_correlation, krippendorff_alpha, preference_scores)


def test_cohen_kappa_wikipedia_example():
    # Wikipedia "Cohen's kappa": 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_weighted_kappa_by_hand():
    # 2 raters, 3 ordered categories; quadratic weights w_ij = ((i-j)/2)^2
    a, b = [1, 1, 2, 3], [1, 2, 2, 3]
    po = [[.25, .25, 0], [0, .25, 0], [0, 0, .25]]
    ra, rb = [.5, .25, .25], [.25, .5, .25]
    w = lambda i, j: ((i - j) / 2) ** 2
    expect = 1 - sum(w(i, j) * po[i][j] for i in range(3) for j in range(3)) / sum(w(i, j) * ra[i] * rb[j] for i in range(3) for j in range(3))
    assert cohen_kappa(a, b, "quadratic") == pytest.approx(expect)


def test_fleiss_kappa_wikipedia_example():
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=1e-3)
    with pytest.raises(AgreementError):
        fleiss_kappa([[2, 0], [1, 0]])
    assert counts_table([[1, 2, 2]], [1, 2, 3]) == [[1, 2, 0]]


def test_krippendorff_alpha_published_values():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders x 12 units with missing values
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert krippendorff_alpha(data, "nominal") == pytest.approx(0.743, abs=1e-3)
    assert krippendorff_alpha(data, "ordinal") == pytest.approx(0.815, abs=1e-3)
    assert krippendorff_alpha(data, "interval") == pytest.approx(0.849, abs=1e-3)


def test_bradley_terry_and_elo_by_hand():
    p = bradley_terry([("A", "B", "a")] * 3 + [("A", "B", "b")])
    assert p["A"] / (p["A"] + p["B"]) == pytest.approx(0.75, abs=1e-3)  # MLE = observed win rate for two players
    elo = bt_to_elo(p)
    assert elo["A"] - elo["B"] == pytest.approx(400 * math.log10(3), abs=0.5)
    assert elo_ratings([("A", "B", "a")]) == {"A": 1016.0, "B": 984.0}  # K=32, expected 0.5
    rows = preference_scores([("A", "B", "a")] * 7 + [("A", "B", "b")] * 3, n_boot=200)
    assert rows[0]["model"] == "A" and rows[0]["ci_low"] <= rows[0]["score"] <= rows[0]["ci_high"]


def test_human_metric_correlation_perfect_rank():
    labels = [{"annotator": "x", "item_id": f"i{i}", "ratings": {"task_success": v}} for i, v in enumerate([1, 2, 4, 5])]
    auto = {f"i{i}": {"score": s} for i, s in enumerate([.1, .2, .3, .9])}
    (row,) = human_metric_correlation(labels, auto, ["task_success"])
    assert row["n"] == 4 and row["spearman"] == pytest.approx(1.0)
