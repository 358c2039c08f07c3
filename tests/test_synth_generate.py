"""Generation runs end to end: oracle samples all pass verification, corrupted samples are rejected by the right stage,
dedup and resume, and the `agentic-lab generate` command line with bad input."""
import copy, json, subprocess, sys
from pathlib import Path
import pytest
from agentic_lab.core import Message, ToolCall
from agentic_lab.store import read_manifest, read_trajectories
from agentic_lab.synth.worlds import WORLDS, get_world
from agentic_lab.synth.tasks import KINDS, generate_tasks
from agentic_lab.synth.policies import OraclePolicy, run_episode
from agentic_lab.synth.verify import verify, fresh_world
from agentic_lab.synth.generate import run_generate

FIXED = "2026-01-01T00:00:00+00:00"

@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    return out, run_generate("all", 300, seed=0, out_dir=out, collected_at=FIXED, progress=False)

def test_oracle_smoke_run_all_pass_and_cover_everything(smoke):
    out, m = smoke
    g = m["generation"]
    assert m["counts"] == {"in": 300, "kept": 300, "dropped": {}, "quarantined": 0}
    assert g["pass_rate"] == {"format": 1.0, "execution": 1.0, "semantic": 1.0}
    assert set(g["worlds"]) == set(WORLDS) and set(g["kinds"]) == set(KINDS)
    assert g["distinct_templates"] > 50 and g["distinct_phrasings"] > 150
    trajs = list(read_trajectories(out))
    assert len({t.id for t in trajs}) == 300
    for t in trajs:
        assert t.source == f"synthetic:{t.meta['world']}" and t.meta["task_kind"] in KINDS and t.meta["complexity"]["score"] > 0
        assert t.meta["template"] and t.meta["phrasing"] and t.meta["verification"]["passed"]
        assert set(t.reference) >= {"calls", "answer", "final_state"} and all(set(c) == {"name", "arguments"} for c in t.reference["calls"])
        assert verify(t).passed  # re-verifiable from disk alone
    samples = (out / "samples.jsonl").read_text().splitlines()
    assert len(samples) == 300 and json.loads(samples[0])["stage"] == "ok"

def test_oracle_reasoning_is_varied_and_grounded(smoke):
    out, _ = smoke
    trajs = list(read_trajectories(out))
    reasons = [m.content for t in trajs for m in t.messages if m.role == "assistant" and m.tool_calls]
    assert len(set(reasons)) > 0.9 * len(reasons)  # no fixed boilerplate
    for t in trajs:
        msgs = t.messages
        for i, m in enumerate(msgs):
            if m.role == "assistant" and m.tool_calls and i > 0 and msgs[i - 1].role == "tool":
                prev = msgs[i - 1]
                assert prev.name in m.content  # reasoning names the observation it relies on
                if '"error"' in prev.content[:12]: assert json.loads(prev.content)["error"] in m.content

@pytest.mark.parametrize("world", sorted(WORLDS))
def test_each_stage_rejects_what_it_must(world):
    tasks = [t for t in generate_tasks(world, 30, seed=5) if t.kind in ("multi_step", "single")]
    t = tasks[0]; tr = run_episode(OraclePolicy(t), get_world(world, seed=5), t)
    assert verify(tr, t).passed
    # format: an argument the schema does not allow
    bad = copy.deepcopy(tr); bad.tool_calls[0].arguments["unexpected"] = True
    v = verify(bad, t); assert (v.passed, v.stage) == (False, "format") and "unexpected" in v.reason
    # format: a required argument missing
    bad = copy.deepcopy(tr); c = bad.tool_calls[0]; c.arguments.pop(next(iter(c.arguments)), None)
    if get_world(world).tool_spec(c.name).parameters["required"]: assert verify(bad, t).stage == "format"
    # execution: an invented observation
    bad = copy.deepcopy(tr); obs = next(m for m in bad.messages if m.role == "tool"); obs.content = json.dumps({"result": "made up"})
    v = verify(bad, t); assert v.stage == "execution" and "differs from re-execution" in v.reason
    # semantic: a wrong final answer
    bad = copy.deepcopy(tr); bad.messages[-1].content = "I have finished the task."
    v = verify(bad, t); assert v.stage == "semantic" and "does not state" in v.reason

def test_wrong_but_valid_argument_is_a_semantic_failure():
    t = next(t for t in generate_tasks("math", 30, seed=2, kinds=["single"]) if t.template == "math.calculate")
    tr = run_episode(OraclePolicy(t), get_world("math"), t)
    bad = copy.deepcopy(tr); c = bad.tool_calls[0]; c.arguments["expression"] = "1 + 1"
    for m in bad.messages:
        if m.role == "tool": m.content = fresh_world("math", 0).execute(c)
    v = verify(bad, t); assert v.stage == "semantic", v

def test_irrelevance_with_a_call_is_rejected():
    t = next(t for t in generate_tasks("market", 12, seed=0) if t.kind == "irrelevance")
    tr = run_episode(OraclePolicy(t), get_world("market"), t); assert verify(tr, t).passed and not tr.tool_calls
    c = ToolCall("get_portfolio", {}, id="c0")
    tr.messages[-1:-1] = [Message("assistant", "checking", tool_calls=[c]), Message("tool", fresh_world("market", 0).execute(c), tool_call_id="c0", name="get_portfolio")]
    v = verify(tr, t); assert v.stage == "semantic" and "irrelevance" in v.reason

def test_dedup_and_resume(tmp_path):
    out = tmp_path / "o"
    m1 = run_generate("math,docs", 20, seed=1, out_dir=out, collected_at=FIXED, progress=False, commit_every=5)
    m2 = run_generate("math,docs", 30, seed=1, out_dir=out, resume=True, collected_at=FIXED, progress=False)
    assert m2["counts"]["kept"] == 30 and len({t.id for t in read_trajectories(out)}) == 30  # 10 new, none duplicated
    m3 = run_generate("math,docs", 30, seed=1, out_dir=tmp_path / "p", exclude=out, progress=False)
    assert m3["counts"]["kept"] == 0 and m3["counts"]["dropped"] == {"duplicate": 30}
    fresh = run_generate("math,docs", 30, seed=1, out_dir=tmp_path / "q", collected_at=FIXED, progress=False)
    assert [t.to_json() for t in read_trajectories(tmp_path / "q")] == [t.to_json() for t in read_trajectories(out)]

def _cli(*args):
    return subprocess.run([str(Path(sys.executable).parent / "agentic-lab"), *args], capture_output=True, text=True, timeout=300)

def test_cli_generate_and_bad_input(tmp_path):
    r = _cli("generate", "--worlds", "math,calendar", "--n", "12", "--seed", "3", "--out", str(tmp_path / "g"))
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["kept"] == 12 and summary["pass_rate"]["semantic"] == 1.0
    assert read_manifest(tmp_path / "g")["config"]["worlds"] == ["math", "calendar"]
    cfg = tmp_path / "c.yaml"; cfg.write_text("generate:\n  worlds: units\n  n: 5\n")
    r = _cli("generate", "--config", str(cfg), "--out", str(tmp_path / "h"))
    assert r.returncode == 0 and json.loads(r.stdout.strip().splitlines()[-1])["kept"] == 5
    for args, needle in [(["--worlds", "math,atlantis"], "unknown world 'atlantis'"), (["--kinds", "poetry"], "unknown task kind 'poetry'"),
                         (["--policy", "openai"], "needs --base-url"), (["--policy", "hf"], "needs --model"),
                         (["--policy", "hf", "--model", str(tmp_path / "nope")], "cannot load model"),
                         (["--config", str(tmp_path / "missing.yaml")], "config file not found")]:
        r = _cli("generate", *args, "--n", "2", "--out", str(tmp_path / "x"))
        assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    r = _cli("generate", "--help"); assert r.returncode == 0 and "--worlds" in r.stdout
