"""The world suite's yardstick: the oracle scores 100% on every world and task kind, a babbling model near 0;
the safety suite separates always-comply from always-refuse; reasoning metrics on played chains."""
from agentic_lab.evaluate import envs, safety, reasoning
from agentic_lab.synth.tasks import KINDS
from agentic_lab.synth.worlds import world_names

class Oracle:
    name = "oracle"
    def __init__(self, tasks): self.by = {t.user_turns[0]: envs.oracle_model(t) for t in tasks}
    def generate(self, messages, tools): return self.by[next(m.content for m in messages if m.role == "user")].generate(messages, tools)

def test_oracle_scores_100_percent_on_every_world_and_kind():
    tasks = [t for w in world_names() for t in envs.heldout_tasks(w, 2 * len(KINDS))]
    rows = list(envs.run_suite(Oracle(tasks), limit=2 * len(KINDS), progress=False))
    assert len(rows) == len(tasks) and {r["kind"] for r in rows} >= {"single", "parallel", "multi_step", "multi_turn"}
    assert [(r["id"], r["reason"]) for r in rows if not r["passed"]] == []
    s = envs.summarize(rows)
    assert s["success"] == 1.0 and s["pass_hat_k"]["1"] == 1.0

def test_untrained_babble_scores_near_zero():
    babble = type("B", (), {"name": "b", "generate": lambda self, m, t: "the the the"})()
    rows = list(envs.run_suite(babble, limit=4, progress=False))
    s = envs.summarize(rows)
    assert s["success"] <= 0.25  # only "irrelevance" tasks (answer: no tool applies) can pass without calling

def test_safety_comply_vs_refuse():
    c = safety.summarize(list(safety.run_suite(safety.comply_model(), progress=False)))
    r = safety.summarize(list(safety.run_suite(safety.refuse_model(), progress=False)))
    assert c["harmful_call_rate"] >= 0.75 and c["attack_success_rate"] >= 0.5
    assert r["over_refusal_rate"] >= 0.75 and r["harmful_call_rate"] == 0.0

def test_reasoning_suite_on_oracle_chains():
    tasks = envs.heldout_tasks("retail", 4)
    rows = list(reasoning.run_suite(Oracle(tasks), ["retail"], limit=4, progress=False))
    s = reasoning.summarize(rows)
    assert s["redundancy"] == 0.0 and s["efficiency"] == 1.0 and s["grounding"] >= 0.8

def test_reasoning_metrics_on_synthetic_oracle_chains():
    "The synthetic stage's oracle writes grounded, consistent REASONs; the metrics must recognise that."
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    from agentic_lab.synth.worlds import get_world
    ms = []
    for w in world_names():
        for t in envs.heldout_tasks(w, 6):
            tr = run_episode(OraclePolicy(t), get_world(w, seed=t.world_seed), t)
            ms.append(reasoning.chain_metrics(tr, sum(len(x) for x in t.plan)))
    assert sum(m["consistency"] for m in ms) / len(ms) >= 0.95
    assert sum(m["grounding"] for m in ms) / len(ms) >= 0.85
    assert sum(m["passed"] for m in ms) / len(ms) >= 0.85

def test_synthetic_oracle_policy_scores_100_percent_through_the_runner_loop():
    "The synthetic stage's OraclePolicy (act-only, with REASON text), adapted by evaluate.models, solves every held-out task."
    from agentic_lab.synth.policies import OraclePolicy
    from agentic_lab.evaluate.models import PolicyModel
    bad = []
    for w in world_names():
        for t in envs.heldout_tasks(w, len(KINDS)):
            row = envs.score_task(PolicyModel(OraclePolicy(t)), t)
            if not row["passed"]: bad.append((row["id"], t.kind, row["reason"]))
    assert bad == []

def test_evaluation_and_synthesis_share_one_agent_loop():
    "envs.play is synth.policies.run_turns with a model adapter: the same policy gives the same calls, observations and counts both ways."
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    from agentic_lab.evaluate.models import PolicyModel
    from agentic_lab.synth.worlds import get_world
    for t in envs.heldout_tasks("retail", len(KINDS)):
        syn = run_episode(OraclePolicy(t), get_world(t.world, seed=t.world_seed), t)
        w = get_world(t.world, seed=t.world_seed)
        ev = envs.play(PolicyModel(OraclePolicy(t)), w, t.user_turns)
        keys = ("steps", "calls", "tool_errors", "parse_errors", "stop_reason")
        assert {k: syn.meta[k] for k in keys} == {k: ev.meta[k] for k in keys}, t.kind
        assert [(c.name, c.arguments) for c in syn.tool_calls] == [(c.name, c.arguments) for c in ev.tool_calls]
        assert [m.content for m in syn.messages if m.role == "tool"] == [m.content for m in ev.messages if m.role == "tool"]
        assert w.state() == t.final_state

def test_heldout_world_tasks_never_appear_in_training_generation(tmp_path):
    # training data comes from `agentic-lab generate` (any seed, any size); evaluation draws from the held-out share only
    from agentic_lab.store import read_trajectories
    from agentic_lab.synth.generate import run_generate
    from agentic_lab.synth.tasks import generate_tasks, request_key, trajectory_request_key
    held = {request_key(t) for w in world_names() for s in (0, 1) for t in envs.heldout_tasks(w, 12, seed=s)}
    assert len(held) >= 12 * len(world_names())
    run_generate("all", 210, seed=0, out_dir=tmp_path, collected_at="2026-01-01T00:00:00+00:00", progress=False)
    generated = {trajectory_request_key(t) for t in read_trajectories(tmp_path)}
    assert len(generated) == 210 and not generated & held
    for w in world_names():  # a larger seed-0 draw per world: before the split about a fifth of held-out tasks were in it
        assert not {request_key(t) for t in generate_tasks(w, 400, seed=0)} & held, w
