"""`agentic-lab collect` through the console script: bfcl, hf, conversations, --list, --config, --resume, bad input."""
import json, subprocess, sys
from pathlib import Path

from agentic_lab.store import read_manifest, read_trajectories

EXE = str(Path(sys.executable).parent / "agentic-lab")


def cli(*args, cwd=None):
    r = subprocess.run([EXE, "collect", *map(str, args)], capture_output=True, text=True, timeout=180, cwd=cwd)
    return r.returncode, r.stdout, r.stderr


def test_list_prints_sources_and_catalog():
    rc, out, err = cli("--list")
    assert rc == 0, err
    for name in ("bfcl", "hf", "conversations", "examples", "xlam-function-calling-60k", "tau-bench", "swe-agent-trajectories"):
        assert name in out, name


def test_bfcl_into_default_layout(tmp_path):
    rc, out, err = cli("bfcl", "--data-dir", tmp_path, "--limit", 30, "--shard-size", 10, "--no-progress")
    assert rc == 0, err
    m = read_manifest(tmp_path / "raw" / "bfcl")
    assert m["counts"]["kept"] == 30 and len(m["shards"]) == 3 and m["complete"]
    assert {"shard-00000.jsonl", "manifest.json", "metrics.jsonl"} <= {p.name for p in (tmp_path / "raw" / "bfcl").iterdir()}


def test_hf_with_adapter_and_resume(tmp_path):
    rows = [{"id": i, "query": f"q{i}", "tools": "[]", "answers": json.dumps([{"name": "f", "arguments": {"x": i}}])} for i in range(12)]
    (tmp_path / "x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    rc, out, err = cli("hf", "--dataset", tmp_path / "x.jsonl", "--adapter", "xlam", "--out", tmp_path / "o", "--limit", 5, "--no-progress")
    assert rc == 0 and out.startswith("hf: 5 kept"), err
    rc, out, err = cli("hf", "--dataset", tmp_path / "x.jsonl", "--adapter", "xlam", "--out", tmp_path / "o", "--resume", "--no-progress")
    assert rc == 0, err
    assert [t.source_id for t in read_trajectories(tmp_path / "o")] == [str(i) for i in range(12)]


def test_conversations_and_config_file(tmp_path):
    log = {"request": {"messages": [{"role": "user", "content": "hi"}]}, "response": {"id": "r1", "choices": [{"message": {"role": "assistant", "content": "yo"}}]}}
    (tmp_path / "log.jsonl").write_text(json.dumps(log) + "\n")
    (tmp_path / "cfg.yaml").write_text(f"collect:\n  path: {tmp_path / 'log.jsonl'}\n  kind: openai-log\n  out: {tmp_path / 'conv'}\n")
    rc, out, err = cli("conversations", "--config", tmp_path / "cfg.yaml", "--no-progress")
    assert rc == 0, err
    assert read_manifest(tmp_path / "conv")["counts"]["kept"] == 1
    rc, out, err = cli("conversations", "--path", tmp_path / "log.jsonl", "--kind", "openai-log", "--out", tmp_path / "conv2", "--no-progress")
    assert rc == 0 and read_manifest(tmp_path / "conv2")["config"]["kind"] == "openai-log"


def test_catalog_entry_runs_its_loader(tmp_path):
    rc, out, err = cli("examples", "--out", tmp_path / "ex", "--no-progress")
    assert rc == 0 and read_manifest(tmp_path / "ex")["counts"]["kept"] >= 6, err


def test_toolalpaca_catalog_default_path_and_override(tmp_path):
    entry = {"Name": "Jokes", "Documentation": json.dumps({"paths": {"/joke": {"get": {"operationId": "getJoke", "parameters": [{"name": "topic", "in": "query", "schema": {"type": "string"}}]}}}}),
             "Function_Description": {"getJoke": "A joke.", "components": ""},
             "Instances": [{"input": "Tell me a cat joke", "output": "Why did the cat…", "Final Thought": "I have one.",
                            "intermediate_steps": [[["getJoke", "{\"topic\": \"cats\"}", " Fetch one.\nAction: getJoke\nAction Input: {\"topic\": \"cats\"}"], "Why did the cat…"]]}]}
    default = tmp_path / "data" / "external" / "toolalpaca" / "train_data.json"
    default.parent.mkdir(parents=True); default.write_text(json.dumps([entry]))
    rc, out, err = cli("toolalpaca", "--no-progress", cwd=tmp_path)  # the catalog's default path, relative to the working folder
    assert rc == 0 and out.startswith("toolalpaca: 1 kept"), err
    t = next(read_trajectories(tmp_path / "data" / "raw" / "toolalpaca"))
    assert (t.source_id, t.tool_calls[0].arguments, t.tools[0].parameters["properties"]) == ("Jokes/0", {"topic": "cats"}, {"topic": {"type": "string"}})
    rc, out, err = cli("toolalpaca", "--path", tmp_path / "missing.json", "--no-progress", cwd=tmp_path)
    assert rc == 2 and "cannot read" in err and len(err.strip().splitlines()) == 1, err


def test_bad_input_exits_2_with_one_line(tmp_path):
    (tmp_path / "bad.json").write_text("{oops")
    cases = [("nope",), ("hf",), ("hf", "--dataset", tmp_path / "bad.json"), ("conversations", "--path", tmp_path / "bad.json", "--kind", "claude"),
             ("conversations", "--path", tmp_path / "bad.json", "--kind", "fax"), ("bfcl", "--categories", "nope"),
             ("hf", "--dataset", tmp_path / "bad.json", "--adapter", "columns", "--columns", "{not json")]
    for args in cases:
        rc, out, err = cli(*args, "--out", tmp_path / "o", "--no-progress")
        last = err.strip().splitlines()[-1]
        assert rc == 2 and last.startswith("agentic-lab collect: error:") and "Traceback" not in err, (args, err)


def test_unknown_format_name_exits_2_before_collecting(tmp_path):
    (tmp_path / "d.jsonl").write_text(json.dumps({"dialog": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}) + "\n")
    hf = ("hf", "--dataset", tmp_path / "d.jsonl", "--adapter", "columns", "--columns", '{"messages": "dialog"}')
    rc, out, err = cli(*hf, "--columns-format", "openai", "--out", tmp_path / "ok", "--no-progress")
    assert rc == 0 and out.startswith("hf: 1 kept"), err  # the same run with a known format collects the row
    for args, what in [((*hf, "--columns-format", "fax"), "hf: --columns-format: unknown format 'fax'"),
                       (("json-api", "--url", "http://127.0.0.1:9/", "--option", "format=fax"), "json-api: option format: unknown format 'fax'")]:
        rc, out, err = cli(*args, "--out", tmp_path / "o", "--no-progress")
        assert rc == 2 and err.strip().splitlines() == [f"agentic-lab collect: error: {what} (expected one of openai, hermes, react, glaive, sharegpt, xlam, toolbench, bfcl or auto)"], (args, err)
        assert not (tmp_path / "o" / "manifest.json").exists()


def test_unknown_option_key_exits_2_naming_it(tmp_path):
    # a typo (per_categroy) must not silently collect all of BFCL; the same for any key a source does not read
    (tmp_path / "cfg.yaml").write_text("collect:\n  per_categroy: 2\n")
    cases = [(("bfcl", "--config", tmp_path / "cfg.yaml"), "per_categroy"), (("bfcl", "--option", "per_categroy=2"), "per_categroy"),
             (("examples", "--dataset", "x.jsonl"), "dataset")]
    for args, key in cases:
        rc, out, err = cli(*args, "--out", tmp_path / "o", "--limit", 3, "--no-progress")
        assert rc == 2 and f"unknown option {key!r}" in err and len(err.strip().splitlines()) == 1, (args, rc, err)
        assert not (tmp_path / "o" / "manifest.json").exists(), args


def test_catalog_entries_without_a_loader_say_what_they_need(tmp_path):
    # their real data cannot be read by any adapter: the catalog says so instead of a loader that can never load
    rc, out, err = cli("--list")
    assert rc == 0, err
    for name in ("gorilla-apibench", "mind2web", "toolqa"):
        assert "no loader" in next(l for l in out.splitlines() if l.strip().startswith(name + " ")), name
    rc, out, err = cli("toolqa", "--out", tmp_path / "o", "--no-progress")
    assert rc == 2 and err.strip().splitlines() == [err.strip()] and "toolqa: the catalog has no loader for it (needs: " in err, err
