"Validators pass clean oracle data from the synthetic worlds and catch planted defects with the right reason."
import copy, random
import pytest
from agentic_lab.core import Message, ToolCall
from agentic_lab.spans import segment
from agentic_lab.process.validate import validate, normalize_schema

@pytest.fixture(scope="module")
def oracle():
    from agentic_lab.synth.worlds import get_world, world_names
    from agentic_lab.synth.tasks import generate_tasks
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    out = []
    for w in world_names():
        for t in generate_tasks(w, 12, seed=1):
            out.append(segment(run_episode(OraclePolicy(t), get_world(w, t.world_seed), t)))
    return out

def with_calls(trajs): return [t for t in trajs if t.tool_calls]

def test_clean_oracle_passes(oracle):
    bad = [(t.id, validate(t).details) for t in oracle if validate(t).issues]
    assert len(oracle) >= 70 and not bad, bad[:3]

def _plant(t, kind, rng):
    t = copy.deepcopy(t)
    if kind == "missing_observation":
        i = next(i for i, m in enumerate(t.messages) if m.role == "tool"); del t.messages[i]
    elif kind == "schema_violation":
        c = next(c for c in t.tool_calls if c.arguments)
        spec = next(s for s in t.tools if s.name == c.name)
        k = next(iter(c.arguments)); typ = normalize_schema(spec.parameters).get("properties", {}).get(k, {}).get("type")
        c.arguments[k] = "not a number" if typ in ("number", "integer", "boolean", "array", "object") else 12345
    elif kind == "ungrounded_answer":
        t.messages[-1] = Message("assistant", "The result is 98765 and 43210, as confirmed by Zorbatron Industries.")
    elif kind == "call_loop":
        i = next(i for i, m in enumerate(t.messages) if m.tool_calls)
        call, obs = t.messages[i], t.messages[i + 1]
        for r in range(3):
            c = ToolCall(call.tool_calls[0].name, dict(call.tool_calls[0].arguments), f"loop{r}")
            t.messages[i + 2:i + 2] = [Message("assistant", "Let me try again.", [c]), Message("tool", obs.content, tool_call_id=f"loop{r}")]
    t.segments = []; return segment(t)

@pytest.mark.parametrize("kind", ["missing_observation", "schema_violation", "ungrounded_answer", "call_loop"])
def test_planted_defects_caught(oracle, kind):
    rng = random.Random(0)
    pool = with_calls(oracle)
    if kind == "schema_violation": pool = [t for t in pool if any(c.arguments for c in t.tool_calls)]
    caught = [kind in validate(_plant(t, kind, rng)).issues for t in pool]
    assert len(caught) >= 30 and all(caught), f"{kind}: caught {sum(caught)}/{len(caught)}"
    clean = validate(pool[0]); planted = validate(_plant(pool[0], kind, rng))
    assert planted.scores["overall"] < clean.scores["overall"]
