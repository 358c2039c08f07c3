"""Parsing and checking never raise on arbitrary model output: every output gets a verdict with a reason."""
from hypothesis import given, settings, strategies as st
from agentic_lab.evaluate.parse import parse_calls
from agentic_lab.evaluate.ast_check import check_calls
from agentic_lab.evaluate.bfcl import load_category, score_single

ALPH = st.sampled_from(list("abcf(){}[]<>\"'=,:.;\n _0123456789") + ["<tool_call>", "</tool_call>", "<think>", "Action:", "Action Input:", "```", "null", "true"])
text = st.lists(ALPH, max_size=60).map("".join)

@settings(max_examples=300, deadline=None)
@given(text)
def test_parse_never_raises(s):
    r = parse_calls(s)
    assert r.ok or isinstance(r.error, str)
    for lang in ("java", "javascript"): parse_calls(s, language=lang)

ENTRY = load_category("simple_python", 1)[0]

@settings(max_examples=200, deadline=None)
@given(text)
def test_scoring_garbage_gives_a_verdict(s):
    row = score_single(ENTRY, s)
    assert row["passed"] in (True, False) and isinstance(row["reason"], str)
    if not row["passed"]: assert row["reason"]

json_vals = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                         lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3), max_leaves=8)

@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["calculate_triangle_area", "x"]), json_vals, max_size=2), max_size=3))
def test_checker_never_raises(calls):
    r = check_calls(calls, ENTRY["function"], ENTRY["ground_truth"], "simple_python")
    assert r.valid in (True, False) and (r.valid or r.reason)
