"Dedup finds >= 95% of planted near duplicates with < 1% false merges, on synthetic oracle data and at scale."
import copy, random, time
import pytest
from agentic_lab.core import Message
from agentic_lab.process.dedup import find_clusters, normalize_text, action_tokens

def _edit(t, rng, i):
    t = copy.deepcopy(t)
    u = next(m for m in t.messages if m.role == "user")
    k = i % 4
    if k == 0: u.content = u.content.upper()
    elif k == 1: u.content = "Please, " + u.content
    elif k == 2: u.content = "  ".join(u.content.split()).rstrip(".?!") + " — thanks!"
    else: w = u.content.split(); w.insert(rng.randrange(len(w) + 1), "kindly"); u.content = " ".join(w)
    t.task = u.content
    for m in t.messages:  # reasoning and ids differ too, as with another policy or source
        if m.role == "assistant" and m.tool_calls: m.content = "Let me check that."
    t.source, t.source_id, t.id = "hf:copy", f"{t.source_id}-copy{i}", ""
    t.__post_init__()
    return t

@pytest.fixture(scope="module")
def oracle():
    from agentic_lab.synth.worlds import get_world, world_names
    from agentic_lab.synth.tasks import generate_tasks
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    return [run_episode(OraclePolicy(t), get_world(w, t.world_seed), t) for w in world_names() for t in generate_tasks(w, 60, seed=2, split=None)]

def test_planted_near_duplicates(oracle):
    rng = random.Random(0)
    base = oracle
    picks = rng.sample(range(len(base)), 100)
    planted = [_edit(base[i], rng, j) for j, i in enumerate(picks)]
    items = base + planted
    sig = lambda t: (normalize_text(t.task), frozenset(action_tokens(t)))
    clusters = find_clusters(items)
    where = {}
    for c in clusters:
        for i in c["members"]: where[i] = id(c)
    found = sum(1 for j, i in enumerate(picks) if where.get(i) is not None and where.get(i) == where.get(len(base) + j))
    assert found / len(picks) >= 0.95, found
    # false merges: originals with a different task or action sequence that end up together
    orig = lambda i: base[i] if i < len(base) else base[picks[i - len(base)]]
    false = sum(1 for c in clusters if len({sig(orig(i)) for i in c["members"]}) > 1)
    distinct = len({sig(t) for t in base})
    assert false / distinct < 0.01, (false, distinct)

def test_scale_quick():
    "20,000 template-like trajectories cluster in a few seconds (100,000 in bench/bench_process.py)."
    from agentic_lab.core import Trajectory, ToolCall, ToolSpec
    rng = random.Random(0)
    tm = ["What is the weather in {c} on day {n}?", "Book {n} seats for the {c} show.", "Convert {n} euros for a trip to {c}."]
    ts = []
    for i in range(20000):
        k, c, n = rng.randrange(3), f"City{rng.randrange(2000)}", rng.randrange(1000)
        ts.append(Trajectory("s", str(i), [Message("user", tm[k].format(c=c, n=n)), Message("assistant", "", [__import__("agentic_lab.core").core.ToolCall(f"t{k}", {"c": c, "n": n})]),
                                              Message("tool", "ok"), Message("assistant", "done")]))
    t0 = time.perf_counter(); find_clusters(ts); dt = time.perf_counter() - t0
    assert dt < 30, dt
