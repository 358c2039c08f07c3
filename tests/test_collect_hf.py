"""Hugging Face datasets in every known agentic shape, built locally (save_to_disk folders, JSONL and Parquet files,
and folders of data files loaded by `load_dataset` like a hub id), read through `HfSource`; plus bad input."""
import json
from pathlib import Path

import datasets
import pytest

from agentic_lab.collect.base import run_collect, CollectError
import agentic_lab.collect.hf  # registers hf/bfcl/examples
from agentic_lab.store import read_trajectories, iter_jsonl

N = 4


def xlam(i):
    return {"id": i, "query": f"Is {2000 + i} a leap year?",
            "tools": json.dumps([{"name": "is_leap_year", "description": "Leap year?", "parameters": {"year": {"type": "int", "description": "Year"}}}]),
            "answers": json.dumps([{"name": "is_leap_year", "arguments": {"year": 2000 + i}}])}


def glaive(i):
    return {"system": 'SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n{"name": "convert", "description": "Convert currency", "parameters": {"type": "object", "properties": {"amount": {"type": "number"}}}}\n',
            "chat": f"USER: Convert {i} USD\n\n\nASSISTANT: <functioncall> {{\"name\": \"convert\", \"arguments\": '{{\"amount\": {i}}}'}} <|endoftext|>\n\n\nFUNCTION RESPONSE: {{\"eur\": {i * 0.9}}}\n\n\nASSISTANT: That is {i * 0.9} EUR. <|endoftext|>\n\n\n"}


def toolbench(i):
    return {"id": f"Step {i}: joke", "conversations": [
        {"from": "system", "value": 'You are AutoGPT.\nSpecifically, you have access to the following APIs: [{"name": "joke", "description": "Random joke", "parameters": {"type": "object", "properties": {}}}, {"name": "Finish", "description": "Finish", "parameters": {"type": "object", "properties": {}}}]'},
        {"from": "user", "value": f"Tell me joke {i}.\nBegin!\n"},
        {"from": "assistant", "value": "\nThought: call the joke API.\nAction: joke\nAction Input: {}"},
        {"from": "function", "value": '{"error": "", "response": "knock knock"}'},
        {"from": "assistant", "value": '\nThought: done.\nAction: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "knock knock"}'}]}


def hermes(i):
    return {"id": f"h{i}", "conversations": [
        {"from": "system", "value": "You are a function calling AI model.\n<tools>\n[{'type': 'function', 'function': {'name': 'price', 'description': 'Stock price', 'parameters': {'type': 'object', 'properties': {'symbol': {'type': 'string'}}}}}]\n</tools>"},
        {"from": "human", "value": f"Price of S{i}?"},
        {"from": "gpt", "value": f"<tool_call>\n{{\"name\": \"price\", \"arguments\": {{\"symbol\": \"S{i}\"}}}}\n</tool_call>"},
        {"from": "tool", "value": "<tool_response>\n{\"name\": \"price\", \"content\": {\"price\": 1.5}}\n</tool_response>"},
        {"from": "gpt", "value": f"S{i} trades at 1.5."}]}


def sharegpt(i):
    return {"conversations": [
        {"from": "human", "value": f"Weather in city {i}?"},
        {"from": "function_call", "value": json.dumps({"name": "weather", "arguments": {"city": f"c{i}"}})},
        {"from": "observation", "value": '{"sky": "clear"}'},
        {"from": "gpt", "value": "Clear skies."}],
        "system": "You are a concierge.", "tools": json.dumps([{"name": "weather", "description": "Weather", "parameters": {"type": "object", "properties": {}}}])}


def openai(i):
    return {"id": f"oa{i}", "messages": [
        {"role": "user", "content": f"Weather in Paris, day {i}?", "tool_calls": None, "tool_call_id": None},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}], "tool_call_id": None},
        {"role": "tool", "content": '{"t": 20}', "tool_calls": None, "tool_call_id": "c1"},
        {"role": "assistant", "content": "20 °C.", "tool_calls": None, "tool_call_id": None}]}


SHAPES = {"xlam": xlam, "glaive": glaive, "toolbench": toolbench, "hermes": hermes, "sharegpt": sharegpt, "openai": openai}


def save(rows, tmp_path, how):
    ds = datasets.Dataset.from_list(rows)
    if how == "disk":
        p = tmp_path / "ds"; ds.save_to_disk(str(p)); return p
    if how == "jsonl":
        p = tmp_path / "ds.jsonl"; p.write_text("".join(json.dumps(r) + "\n" for r in rows)); return p
    if how == "parquet":
        p = tmp_path / "ds.parquet"; ds.to_parquet(str(p)); return p
    if how == "folder":  # a folder of data files: load_dataset(path), the same call a hub id takes
        p = tmp_path / "repo"; (p / "data").mkdir(parents=True); ds.to_parquet(str(p / "data" / "train-00000-of-00001.parquet")); return p


@pytest.mark.parametrize("how", ["disk", "jsonl", "parquet", "folder"])
@pytest.mark.parametrize("adapter", list(SHAPES))
def test_each_shape_each_storage(adapter, how, tmp_path):
    path = save([SHAPES[adapter](i) for i in range(N)], tmp_path, how)
    m = run_collect("hf", tmp_path / "out", dataset=str(path), adapter=adapter, progress=False)
    assert m["counts"] == {"in": N, "kept": N, "dropped": {}, "quarantined": 0}, next(iter_jsonl(tmp_path / "out" / "quarantine.jsonl"), None)
    trajs = list(read_trajectories(tmp_path / "out"))
    assert all(t.source.startswith("hf:") and t.tool_calls and t.segments and t.meta["format"] == adapter for t in trajs)
    assert len({t.id for t in trajs}) == N


def test_auto_detects_mixed_shapes(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_text("".join(json.dumps(f(i)) + "\n" for i, f in enumerate(SHAPES.values())))
    m = run_collect("hf", tmp_path / "out", dataset=str(p), progress=False)
    assert m["counts"]["kept"] == len(SHAPES)
    assert {t.meta["format"] for t in read_trajectories(tmp_path / "out")} == set(SHAPES)


def test_streaming_limit_and_resume(tmp_path):
    p = tmp_path / "x.jsonl"; p.write_text("".join(json.dumps(xlam(i)) + "\n" for i in range(10)))
    m = run_collect("hf", tmp_path / "out", dataset=str(p), adapter="xlam", streaming=True, limit=4, shard_size=3, progress=False)
    assert m["counts"]["kept"] == 4 and m["cursor"] == 4
    m = run_collect("hf", tmp_path / "out", dataset=str(p), adapter="xlam", streaming=True, resume=True, shard_size=3, progress=False)
    ids = [t.source_id for t in read_trajectories(tmp_path / "out")]
    assert ids == [str(i) for i in range(10)] and m["counts"]["in"] == 10


def test_columns_adapter(tmp_path):
    rows = [{"uid": f"u{i}", "dialog": openai(i)["messages"]} for i in range(3)]
    path = save(rows, tmp_path, "parquet")
    m = run_collect("hf", tmp_path / "out", dataset=str(path), adapter="columns", columns={"messages": "dialog", "id": "uid"}, progress=False)
    assert m["counts"]["kept"] == 3 and [t.source_id for t in read_trajectories(tmp_path / "out")] == ["u0", "u1", "u2"]


def test_rows_fitting_no_adapter_are_quarantined_with_reasons(tmp_path):
    p = tmp_path / "odd.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in [{"foo": 1}, {"bar": "x"}, openai(0)]))
    m = run_collect("hf", tmp_path / "out", dataset=str(p), progress=False)
    assert m["counts"] == {"in": 3, "kept": 1, "dropped": {}, "quarantined": 2}
    reasons = [q["reason"] for q in iter_jsonl(tmp_path / "out" / "quarantine.jsonl")]
    assert len(reasons) == 2 and all(r.startswith("FormatError:") for r in reasons)
    m = run_collect("hf", tmp_path / "out2", dataset=str(p), adapter="glaive", progress=False)
    assert m["counts"]["quarantined"] == 3  # the wrong adapter: every row says why, none is lost


def test_a_jsonl_line_that_is_not_json_is_quarantined_with_its_line_number(tmp_path):
    p = tmp_path / "x.jsonl"
    lines = [json.dumps(xlam(i)) for i in range(5)]
    p.write_text("\n".join(lines[:3] + ['{"query": "cut off', ""] + lines[3:]) + "\n")  # line 4 is broken, line 5 blank
    m = run_collect("hf", tmp_path / "out", dataset=str(p), adapter="xlam", limit=3, shard_size=2, progress=False)
    m = run_collect("hf", tmp_path / "out", dataset=str(p), adapter="xlam", resume=True, shard_size=2, progress=False)
    assert m["counts"] == {"in": 6, "kept": 5, "dropped": {}, "quarantined": 1}
    assert [t.source_id for t in read_trajectories(tmp_path / "out")] == [str(i) for i in range(5)]
    (q,) = list(iter_jsonl(tmp_path / "out" / "quarantine.jsonl"))
    assert "line 4: not JSON" in q["reason"] and "cut off" in json.dumps(q["item"]), q


@pytest.mark.parametrize("opts, message", [
    ({"adapter": "columns", "columns": {"messages": "nope"}}, "column mapping names missing columns ['nope']"),
    ({"adapter": "columns"}, "needs a `columns` mapping"),
    ({"adapter": "klingon"}, "unknown adapter 'klingon'"),
])
def test_bad_options_fail_in_one_line(opts, message, tmp_path):
    path = save([openai(0)], tmp_path, "disk")
    with pytest.raises(CollectError) as e:
        run_collect("hf", tmp_path / "out", dataset=str(path), progress=False, **opts)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_missing_split_of_a_dataset_dict(tmp_path):
    datasets.DatasetDict({"train": datasets.Dataset.from_list([openai(0)])}).save_to_disk(str(tmp_path / "dd"))
    assert run_collect("hf", tmp_path / "ok", dataset=str(tmp_path / "dd"), progress=False)["counts"]["kept"] == 1
    with pytest.raises(CollectError, match=r"no split 'test' \(has train\)"):
        run_collect("hf", tmp_path / "out", dataset=str(tmp_path / "dd"), split="test", progress=False)


def test_corrupt_file_is_one_line_error(tmp_path):
    p = tmp_path / "broken.json"; p.write_text('[{"messages": [')
    with pytest.raises(CollectError) as e:
        run_collect("hf", tmp_path / "out", dataset=str(p), progress=False)
    assert str(e.value).startswith("hf: cannot load") and "\n" not in str(e.value)


def test_bfcl_every_category_has_records(tmp_path):
    from agentic_lab.collect.hf import bfcl_categories
    cats = bfcl_categories()
    for c in cats:
        m = run_collect("bfcl", tmp_path / c, categories=[c], limit=2, progress=False)
        assert m["counts"]["kept"] == 2 and m["counts"]["quarantined"] == 0, c
    t = next(read_trajectories(tmp_path / "multi_turn_miss_func"))
    assert t.tools and t.reference["ground_truth"] and t.meta["bfcl"]["category"] == "multi_turn_miss_func"
