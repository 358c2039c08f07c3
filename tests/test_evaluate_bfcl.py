"""BFCL through our parser and checker: ground truth scores 100% on every shipped category, and agrees with BFCL's own checker."""
import pytest
from agentic_lab.evaluate.bfcl import (SINGLE_TURN, MULTI_TURN, UNSATISFIABLE, load_category, ground_truth_output, score_single,
                                       check_multi_turn, summarize)

@pytest.mark.parametrize("category", SINGLE_TURN)
def test_ground_truth_scores_100_percent(category):
    entries = load_category(category)
    rows = [score_single(e, "I cannot answer that with these functions." if "irrelevance" in category else ground_truth_output(e)) for e in entries]
    bad = [(r["id"], r["reason"]) for r in rows if not r["passed"] and r["id"] not in UNSATISFIABLE]
    assert bad == []
    assert summarize([r for r in rows if r["id"] not in UNSATISFIABLE])["categories"][category]["accuracy"] == 1.0

@pytest.mark.parametrize("category", MULTI_TURN)
def test_multi_turn_ground_truth_passes_executor(category):
    bad = []
    for e in load_category(category):
        r = check_multi_turn(e, [[turn] for turn in e["ground_truth"]])
        if not r.valid: bad.append((e["id"], r.reason))
    assert bad == []

def test_unsatisfiable_are_rejected_by_official_checker_too():
    import importlib.util, sys, pathlib
    spec = importlib.util.spec_from_file_location("bfcl_agreement", pathlib.Path(__file__).parents[1] / "bench" / "bfcl_agreement.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    ast_checker, Language = mod.official_checker()
    from agentic_lab.evaluate.bfcl import ground_truth_calls, language_of
    from agentic_lab.evaluate.parse import to_bfcl
    langs = {"python": Language.PYTHON, "java": Language.JAVA, "javascript": Language.JAVASCRIPT}
    for id_ in UNSATISFIABLE:
        cat = id_.rsplit("_", 1)[0]
        e = next(x for x in load_category(cat) if x["id"] == id_)
        assert not ast_checker(e["function"], to_bfcl(ground_truth_calls(e)), e["ground_truth"], langs[language_of(cat)], cat, "x")["valid"]

def test_agreement_with_official_checker_quick(capsys):
    import importlib.util, pathlib
    spec = importlib.util.spec_from_file_location("bfcl_agreement", pathlib.Path(__file__).parents[1] / "bench" / "bfcl_agreement.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    assert mod.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "disagreements: 0" in out
