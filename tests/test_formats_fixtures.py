"""Format adapters on the fixture files in data/fixtures/formats/: one file per format, plus broken.jsonl."""
import json
from pathlib import Path

import pytest

from agentic_lab.core import SegmentKind, render_call
from agentic_lab.formats import FORMATS, FormatError, detect, parse
from agentic_lab.spans import coverage_gaps

FIX = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "formats"


def records(fmt):
    return [json.loads(l) for l in (FIX / f"{fmt}.jsonl").read_text().splitlines() if l.strip()]


def by_id(fmt):
    return {parse(r).source_id: parse(r) for r in records(fmt)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_fixture_detected_parsed_segmented(fmt):
    for r in records(fmt):
        assert detect(r) == fmt
        t = parse(r).validate_segments()
        assert t.meta["format"] == fmt and t.source == f"format:{fmt}"
        assert coverage_gaps(t) == []
        assert parse(r).id == t.id  # stable ids, also without an "id" field (content hash)
        for m in t.messages:
            if m.role == "tool": assert m.tool_call_id in {c.id for c in t.tool_calls}
        for i, m in enumerate(t.messages):
            acts = [s.text.rstrip("\n") for s in t.segments if s.message == i and s.kind == SegmentKind.ACT]
            assert acts == [render_call(c) for c in m.tool_calls]
            if m.role == "assistant": assert all(s.kind in (SegmentKind.REASON, SegmentKind.ACT, SegmentKind.ANSWER) for s in t.segments if s.message == i)


def calls(t):
    return [[(c.name, c.arguments) for c in m.tool_calls] for m in t.messages if m.tool_calls]


def test_openai_multi_turn_parallel_nested_unicode():
    t = by_id("openai")
    mt = t["openai-multi-turn"]
    assert [m.role for m in mt.messages] == ["system", "user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"]
    assert calls(mt) == [[("get_weather", {"city": "Zürich", "units": "C"})], [("get_weather", {"city": "東京"})]]
    assert mt.messages[-1].content == "<think>18 is mild.</think>18 °C in Tokyo."
    assert [s.kind.value for s in mt.segments if s.message == 2] == ["REASON", "ACT"]
    par = t["openai-parallel-nested"]
    assert calls(par)[0][0][1]["event"]["attendees"] == [{"name": "Ana", "optional": False}]
    assert [m.tool_call_id for m in par.messages if m.role == "tool"] == ["b", "a"]
    assert [m.name for m in par.messages if m.role == "tool"] == ["create_event", "create_event"]
    assert par.messages[-1].content == "Both are scheduled."


def test_hermes_python_literals_qwen_and_think():
    t = by_id("hermes")
    v1 = t["hermes-v1-style"]
    assert [x.name for x in v1.tools] == ["get_stock_price", "get_news"]
    assert calls(v1) == [[("get_stock_price", {"symbol": "AAPL"}), ("get_news", {"topic": {"q": "Apple", "lang": ["fr"], "since": None}})]]
    assert v1.messages[0].content == ("You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags."
                                      "\n\nFor each function call return a json object within <tool_call></tool_call> XML tags.")  # the list is gone, the prose stays
    assert [s.kind.value for s in v1.segments if s.message == 5] == ["REASON", "ANSWER"]
    qwen = t["qwen-style"]
    assert [x.name for x in qwen.tools] == ["now", "sleep"]
    assert [m.role for m in qwen.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert qwen.messages[2].content == "<think>\nOne call.\n</think>"
    assert qwen.segments_of("ANSWER")[0].text == "It is 15:04 in 東京."


def test_react_json_paper_and_parallel():
    t = by_id("react")
    j = t["react-json"]
    assert calls(j) == [[("search", {"query": "Eiffel Tower height", "filters": {"lang": ["en", "fr"], "safe": True}})], [("calculator", {"input": "330 * 3.281"})]]
    assert j.messages[-1].content == "<think>I know the answer.</think>About 1,083 feet (330 m)."
    paper = t["react-paper"]
    assert calls(paper) == [[("Search", {"input": "Arthur's Magazine"})], [("Search", {"input": "First for Women"})]]
    assert paper.messages[-1].content == "<think>1844 < 1989.</think>Arthur's Magazine"
    par = t["react-parallel"]
    assert calls(par) == [[("price", {"currency": "EUR"}), ("price", {"currency": "JPY"})]]
    assert par.task == "Compare prices in € and ¥."


def test_glaive_single_quoted_arguments():
    t1, t2 = [parse(r) for r in records("glaive")]
    assert [x.name for x in t1.tools] == ["calculate_bmi", "send_message"]
    assert calls(t1) == [[("calculate_bmi", {"weight": 70, "height": 1.75})], [("send_message", {"text": "I'm fine 🙂", "meta": {"to": "Zoë", "tags": ["health"]}})]]
    assert t1.messages[-3].content == "Sure, sending it now."  # the plan before <functioncall> is REASON
    assert [s.kind.value for s in t1.segments if s.message == len(t1.messages) - 3] == ["REASON", "ACT"]
    assert t2.tools == [] and t2.messages[0].content.startswith("You are a helpful assistant, with no access")


def test_sharegpt_xlam_toolbench_bfcl():
    sg = parse(records("sharegpt")[0])
    assert calls(sg) == [[("book", {"restaurant": "Noma", "party": {"adults": 2, "kids": 0}}), ("weather", {"city": "København"})], [("cancel", {"restaurant": "Noma"})]]
    assert sg.messages[0].role == "system" and sg.segments_of("ANSWER")[-1].text == "Cancelled."
    x0, x1 = [parse(r) for r in records("xlam")]
    assert x0.source_id == "0" and x0.reference["calls"] == [{"name": "get_ip_location", "arguments": {"ip": "8.8.8.8"}}, {"name": "is_leap_year", "arguments": {"year": 2024}}]
    assert x1.tools[0].parameters["required"] == ["route"] and calls(x1)[0][0][1]["route"] == {"from": "CDG", "to": "HND"}
    tb, gave_up = [parse(r) for r in records("toolbench")]
    assert [x.name for x in tb.tools] == ["random_joke_for_jokes", "search_for_jokes", "Finish"]
    assert calls(tb) == [[("search_for_jokes", {"query": "cats"})], [("random_joke_for_jokes", {})]]
    assert tb.messages[-1].content == "<think>Good enough.</think>Cats have nine lives…"
    assert gave_up.messages[-1].content == "<think>I cannot do this.</think>" and gave_up.segments_of("ANSWER") == []
    bf = {t.source_id: t for t in map(parse, records("bfcl"))}
    assert bf["simple_python_0"].reference == {"ground_truth": [{"calculate_triangle_area": {"base": [10], "height": [5], "unit": ["units", ""]}}]}
    assert bf["simple_python_0"].tools[0].parameters["type"] == "dict"  # BFCL's own types kept for its checker
    mt = bf["multi_turn_base_0"]
    assert mt.meta["bfcl"]["turn_starts"] == [0, 1, 2, 3] and len(mt.reference["ground_truth"]) == 4
    assert bf["irrelevance_0"].reference is None


BROKEN = [json.loads(l) for l in (FIX / "broken.jsonl").read_text().splitlines() if l.strip()]


@pytest.mark.parametrize("case", BROKEN, ids=[c["name"] for c in BROKEN])
def test_broken_records_raise_one_line_format_error(case):
    with pytest.raises(FormatError) as e:
        parse(case["record"], case["format"])
    msg = str(e.value)
    assert case["error"] in msg and "\n" not in msg, msg


def test_every_format_has_broken_cases():
    covered = {c["name"].split("-")[0] for c in BROKEN}
    assert set(FORMATS) <= covered


def test_every_real_bfcl_record_parses():
    """All of BFCL v4 in the bfcl-eval wheel, with possible answers merged in as `reference`."""
    import importlib.resources
    base = importlib.resources.files("bfcl_eval") / "data"
    n = with_ref = 0
    for path in sorted(base.iterdir()):
        if not path.name.startswith("BFCL_v4_") or "format_sensitivity" in path.name: continue
        ans = base / "possible_answer" / path.name
        gts = {a["id"]: a["ground_truth"] for a in map(json.loads, ans.read_text().splitlines())} if ans.is_file() else {}
        for line in path.read_text().splitlines():
            r = json.loads(line)
            t = parse({**r, **({"ground_truth": gts[r["id"]]} if r["id"] in gts else {})}, source="bfcl")
            assert t.source_id == r["id"] and t.meta["format"] == "bfcl" and t.segments
            assert len(t.meta["bfcl"]["turn_starts"]) == len(r["question"])
            if "function" in r: assert [x.name for x in t.tools] == [f["name"] for f in r["function"]]
            n += 1; with_ref += t.reference is not None
    assert n > 4000 and with_ref > 3000, (n, with_ref)
