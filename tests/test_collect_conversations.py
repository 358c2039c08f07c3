"""Conversation exports and logs on hand-made files: ChatGPT (json and zip, branches), Claude, OpenAI request/response
logs (plain and Batch API), LangSmith runs (flat JSONL and nested JSON); corrupt files fail in one line."""
import json, zipfile
from pathlib import Path

import pytest

from agentic_lab.collect.base import run_collect, CollectError
import agentic_lab.collect.conversations  # registers the source
from agentic_lab.store import read_trajectories, iter_jsonl


def chatgpt_conv(cid, answer="Done."):
    def n(i, parent, role, text, children, **kw):
        msg = None if role is None else {"id": i, "author": {"role": role, **kw.pop("author", {})}, "recipient": kw.pop("recipient", "all"),
                                         "content": kw.pop("content", {"content_type": "text", "parts": [text]}), "metadata": {}}
        return i, {"id": i, "parent": parent, "children": children, "message": msg}
    mapping = dict([n("r", None, None, "", ["u"]), n("u", "r", "user", "Search the docs for rate limits", ["a", "a2"]),
                    n("a2", "u", "assistant", "abandoned regeneration", []),
                    n("a", "u", "assistant", "", ["t"], recipient="browser", content={"content_type": "code", "language": "unknown", "text": 'search("rate limits")'}),
                    n("t", "a", "tool", "", ["f"], author={"name": "browser"}, content={"content_type": "tether_browsing_display", "result": "429 means wait", "text": ""}),
                    n("f", "t", "assistant", answer, [])])
    return {"conversation_id": cid, "title": "t", "current_node": "f", "mapping": mapping}


def test_chatgpt_json_and_zip(tmp_path):
    convs = [chatgpt_conv("c1"), chatgpt_conv("c2", "Wait when told.")]
    (tmp_path / "conversations.json").write_text(json.dumps(convs))
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as z:
        z.writestr("conversations.json", json.dumps(convs)); z.writestr("user.json", "{}")
    for path in ("conversations.json", "export.zip"):
        m = run_collect("conversations", tmp_path / f"out-{path}", path=str(tmp_path / path), kind="chatgpt", progress=False)
        assert m["counts"] == {"in": 2, "kept": 2, "dropped": {}, "quarantined": 0}
        t = next(read_trajectories(tmp_path / f"out-{path}"))
        assert t.source == "conversations:chatgpt" and [m.role for m in t.messages] == ["user", "assistant", "tool", "assistant"]
        assert "abandoned regeneration" not in json.dumps(t.to_dict())  # only the current branch
        assert t.tool_calls[0].name == "browser" and t.messages[2].content == "429 means wait"


def test_claude_export(tmp_path):
    convs = [{"uuid": "u1", "name": "n", "chat_messages": [
        {"sender": "human", "text": "List files", "content": [{"type": "text", "text": "List files"}], "attachments": [{"file_name": "a.txt", "extracted_content": "hello"}]},
        {"sender": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "ls", "input": {"path": "."}},
                                            {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "a.txt"}]},
                                            {"type": "text", "text": "One file: a.txt"}]}]},
             {"uuid": "u2", "chat_messages": [{"sender": "human", "text": "hi"}]}]  # no assistant turn: dropped with a reason
    (tmp_path / "c.json").write_text(json.dumps(convs))
    m = run_collect("conversations", tmp_path / "out", path=str(tmp_path / "c.json"), kind="claude", progress=False)
    assert m["counts"] == {"in": 2, "kept": 1, "dropped": {"no_assistant_turn": 1}, "quarantined": 0}
    t = next(read_trajectories(tmp_path / "out"))
    assert "[attachment a.txt]" in t.messages[0].content and t.tool_calls[0].arguments == {"path": "."}


def test_openai_logs_plain_and_batch(tmp_path):
    req = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    lines = [{"request": req, "response": {"id": "r1", "choices": [{"message": {"role": "assistant", "content": "hello"}}]}},
             {"custom_id": "b1", "response": {"status_code": 200, "body": {"id": "x", "choices": [{"message": {"role": "assistant", "content": "yo"}}]}}, "body": req},
             {"messages": [{"role": "user", "content": "flat"}], "choices": [{"message": {"role": "assistant", "content": "ok"}}], "id": "f1"}]
    (tmp_path / "log.jsonl").write_text("".join(json.dumps(l) + "\n" for l in lines) + "not json at all\n")
    m = run_collect("conversations", tmp_path / "out", path=str(tmp_path / "log.jsonl"), kind="openai-log", progress=False)
    assert m["counts"] == {"in": 4, "kept": 3, "dropped": {}, "quarantined": 1}
    assert sorted(t.source_id for t in read_trajectories(tmp_path / "out")) == ["b1", "f1", "r1"]
    assert next(iter_jsonl(tmp_path / "out" / "quarantine.jsonl"))["reason"].startswith("FormatError: line 4: not JSON")


def test_langsmith_flat_and_nested(tmp_path):
    root = {"id": "root", "run_type": "chain", "name": "agent", "start_time": "1", "inputs": {"input": "2**10?"}, "outputs": {"output": "1024"}}
    llm = {"id": "l1", "parent_run_id": "root", "run_type": "llm", "start_time": "2",
           "outputs": {"generations": [[{"message": {"kwargs": {"content": "I will use python."}}}]]}}
    tool = {"id": "t1", "parent_run_id": "root", "run_type": "tool", "name": "python", "start_time": "3", "inputs": {"code": "2**10"}, "outputs": {"output": "1024"}}
    (tmp_path / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (tool, root, llm)))
    nested = {**root, "child_runs": [{k: v for k, v in r.items() if k != "parent_run_id"} for r in (llm, tool)]}
    (tmp_path / "trace.json").write_text(json.dumps(nested))
    for name in ("runs.jsonl", "trace.json"):
        m = run_collect("conversations", tmp_path / f"out-{name}", path=str(tmp_path / name), kind="langsmith", progress=False)
        assert m["counts"]["kept"] == 1, name
        t = next(read_trajectories(tmp_path / f"out-{name}"))
        assert [(x.role, x.content) for x in t.messages] == [("user", "2**10?"), ("assistant", "I will use python."), ("tool", "1024"), ("assistant", "1024")]
        assert t.tool_calls[0].arguments == {"code": "2**10"}
        assert [s.kind.value for s in t.segments] == ["USER", "REASON", "ACT", "OBS", "ANSWER"]


def test_langsmith_bad_lines_are_quarantined_not_fatal(tmp_path):
    "A broken line or a run without an id is quarantined with its line number; every good trace still comes out."
    def trace(i):
        return [{"id": f"root{i}", "run_type": "chain", "name": "agent", "start_time": "1", "inputs": {"input": f"q{i}"}, "outputs": {"output": f"a{i}"}},
                {"id": f"t{i}", "parent_run_id": f"root{i}", "run_type": "tool", "name": "python", "start_time": "2", "inputs": {"code": "1"}, "outputs": {"output": "1"}}]
    lines = [json.dumps(r) for r in trace(1)] + ['{"id": "broken", ', json.dumps({"run_type": "tool", "name": "orphan"})] + [json.dumps(r) for r in trace(2)]
    (tmp_path / "runs.jsonl").write_text("\n".join(lines) + "\n")
    m = run_collect("conversations", tmp_path / "out", path=str(tmp_path / "runs.jsonl"), kind="langsmith", progress=False)
    assert m["counts"] == {"in": 4, "kept": 2, "dropped": {}, "quarantined": 2}
    assert sorted(t.source_id for t in read_trajectories(tmp_path / "out")) == ["root1", "root2"]
    reasons = [q["reason"] for q in iter_jsonl(tmp_path / "out" / "quarantine.jsonl")]
    assert reasons[0].startswith("FormatError: line 3: not JSON") and reasons[1] == "FormatError: line 4: run without an id"


@pytest.mark.parametrize("content, kind, message", [
    ('[{"uuid": ', "claude", "not JSON"),
    ('{"not": "a list"}', "chatgpt", "is a JSON list of conversations, got dict"),
    (b"PK\x03\x04garbage", "chatgpt", "cannot read"),
])
def test_corrupt_exports_fail_in_one_line(tmp_path, content, kind, message):
    p = tmp_path / ("export.zip" if isinstance(content, bytes) else "c.json")
    p.write_bytes(content) if isinstance(content, bytes) else p.write_text(content)
    with pytest.raises(CollectError) as e:
        run_collect("conversations", tmp_path / "out", path=str(p), kind=kind, progress=False)
    assert message in str(e.value) and "\n" not in str(e.value)
