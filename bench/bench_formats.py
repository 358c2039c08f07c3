"""Format adapters: parse + segment throughput on a mixed corpus of all 8 formats, on one core.

Usage: python -m bench.bench_formats [--quick] [--n N] [--seed S]
Generates N records (default 20,000; --quick 2,000), spread evenly over the formats, with multi-step episodes,
parallel calls, nested JSON arguments and unicode; times `formats.parse` (detect + adapt + link + segment) per
format and overall, against a baseline measured in the same run: `Trajectory.from_dict` of the same trajectories
(core's own deserialisation, no format work).
"""
from __future__ import annotations
import argparse, json, os, random, time
from agentic_lab.core import Trajectory
from agentic_lab.formats import FORMATS, parse

WORDS = "weather stock price flight hotel Paris Köln 東京 São_Paulo café naïve 🙂 search book table order refund".split()
TOOL_NAMES = ["get_weather", "search_web", "book_table", "get_stock_price", "convert_currency", "send_email", "lookup_order"]


def _text(rng: random.Random, lo=3, hi=12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def _args(rng: random.Random) -> dict:
    a = {"query": _text(rng, 1, 4), "limit": rng.randint(1, 50)}
    if rng.random() < 0.5: a["options"] = {"lang": rng.sample(["en", "fr", "de", "ja"], 2), "strict": rng.random() < 0.5, "range": {"lo": 1.5, "hi": None}}
    return a


def episode(rng: random.Random) -> dict:
    "An abstract agent episode: tools, a task, steps of (thought, calls, observations), a final thought and answer."
    names = rng.sample(TOOL_NAMES, rng.randint(1, 3))
    tools = [{"name": n, "description": _text(rng, 3, 8), "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer"},
              "options": {"type": "object"}}, "required": ["query"]}} for n in names]
    steps = []
    for _ in range(rng.randint(1, 3)):
        calls = [{"name": rng.choice(names), "arguments": _args(rng)} for _ in range(rng.choice([1, 1, 2, 3]))]
        steps.append({"thought": _text(rng), "calls": calls, "obs": [json.dumps({"result": _text(rng, 2, 6), "n": rng.randint(0, 9)}, ensure_ascii=False) for _ in calls]})
    return {"tools": tools, "task": _text(rng, 5, 15) + "?", "steps": steps, "thought": _text(rng), "answer": _text(rng, 4, 16)}


def _openai(e, rng):
    msgs = [{"role": "system", "content": "You are a helpful agent."}, {"role": "user", "content": e["task"]}]
    for s in e["steps"]:
        msgs.append({"role": "assistant", "content": s["thought"] if rng.random() < 0.5 else None, "tool_calls": [
            {"id": f"c{len(msgs)}_{j}", "type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["arguments"]) if rng.random() < 0.8 else c["arguments"]}}
            for j, c in enumerate(s["calls"])]})
        ids = [c["id"] for c in msgs[-1]["tool_calls"]]
        msgs += [{"role": "tool", "tool_call_id": i, "content": o} for i, o in zip(ids, s["obs"])]
    msgs.append({"role": "assistant", "reasoning_content": e["thought"], "content": e["answer"]})
    return {"messages": msgs, "tools": [{"type": "function", "function": t} for t in e["tools"]]}


def _hermes(e, rng):
    conv = [{"from": "system", "value": "You are a function calling AI model.\n<tools>\n" + json.dumps([{"type": "function", "function": t} for t in e["tools"]]) + "\n</tools>"},
            {"from": "human", "value": e["task"]}]
    for s in e["steps"]:
        conv.append({"from": "gpt", "value": f"<think>{s['thought']}</think>\n" + "\n".join(f"<tool_call>\n{json.dumps(c, ensure_ascii=False)}\n</tool_call>" for c in s["calls"])})
        conv.append({"from": "tool", "value": "\n".join(f"<tool_response>\n{o}\n</tool_response>" for o in s["obs"])})
    conv.append({"from": "gpt", "value": f"<think>{e['thought']}</think>\n\n{e['answer']}"})
    return {"conversations": conv}


def _react(e, rng):
    lines = []
    for s in e["steps"]:
        lines.append(f"Thought: {s['thought']}")
        for c in s["calls"]: lines += [f"Action: {c['name']}", f"Action Input: {json.dumps(c['arguments'], ensure_ascii=False)}"]
        lines += [f"Observation: {o}" for o in s["obs"]]
    lines += [f"Thought: {e['thought']}", f"Final Answer: {e['answer']}"]
    return {"question": e["task"], "trajectory": "\n".join(lines), "tools": e["tools"]}


def _glaive(e, rng):
    system = "SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n" + "\n\n".join(json.dumps(t, indent=4) for t in e["tools"])
    chat = [f"USER: {e['task']}"]
    for s in e["steps"]:
        for c, o in zip(s["calls"], s["obs"]):
            chat.append(f"ASSISTANT: <functioncall> {{\"name\": \"{c['name']}\", \"arguments\": '{json.dumps(c['arguments'], ensure_ascii=False)}'}} <|endoftext|>")
            chat.append(f"FUNCTION RESPONSE: {o}")
    chat.append(f"ASSISTANT: {e['answer']} <|endoftext|>")
    return {"system": system, "chat": "\n\n\n".join(chat) + "\n\n\n"}


def _sharegpt(e, rng):
    conv = [{"from": "human", "value": e["task"]}]
    for s in e["steps"]:
        conv.append({"from": "function_call", "value": json.dumps(s["calls"] if len(s["calls"]) > 1 else s["calls"][0], ensure_ascii=False)})
        conv += [{"from": "observation", "value": o} for o in s["obs"]]
    conv.append({"from": "gpt", "value": e["answer"]})
    return {"conversations": conv, "system": "You are a helpful agent.", "tools": json.dumps(e["tools"], ensure_ascii=False)}


def _xlam(e, rng):
    tools = [{"name": t["name"], "description": t["description"], "parameters": {"query": {"type": "str", "description": "q"}, "limit": {"type": "int, optional", "default": 10}}} for t in e["tools"]]
    return {"query": e["task"], "tools": json.dumps(tools, ensure_ascii=False), "answers": json.dumps(e["steps"][0]["calls"], ensure_ascii=False)}


def _toolbench(e, rng):
    conv = [{"from": "system", "value": "You are AutoGPT.\nSpecifically, you have access to the following APIs: " + json.dumps(e["tools"])},
            {"from": "user", "value": e["task"] + "\nBegin!\n"}]
    for s in e["steps"]:
        for c, o in zip(s["calls"], s["obs"]):
            conv.append({"from": "assistant", "value": f"\nThought: {s['thought']}\nAction: {c['name']}\nAction Input: {json.dumps(c['arguments'], ensure_ascii=False)}"})
            conv.append({"from": "function", "value": json.dumps({"error": "", "response": o}, ensure_ascii=False)})
    conv.append({"from": "assistant", "value": f"\nThought: {e['thought']}\nAction: Finish\nAction Input: " + json.dumps({"return_type": "give_answer", "final_answer": e["answer"]}, ensure_ascii=False)})
    return {"conversations": conv}


def _bfcl(e, rng):
    funcs = [{**t, "parameters": {**t["parameters"], "type": "dict"}} for t in e["tools"]]
    gt = [{c["name"]: {k: [v] for k, v in c["arguments"].items()}} for c in e["steps"][0]["calls"]]
    return {"question": [[{"role": "user", "content": e["task"]}]], "function": funcs, "ground_truth": gt}


RENDER = {"openai": _openai, "hermes": _hermes, "react": _react, "glaive": _glaive, "sharegpt": _sharegpt, "xlam": _xlam, "toolbench": _toolbench, "bfcl": _bfcl}


def make_cases(n: int, seed: int = 0) -> list[tuple[str, dict, dict]]:
    "`n` `(format, record, episode)` triples, the formats in rotation, each record rendered from a fresh random episode."
    rng = random.Random(seed)
    out = []
    for i in range(n):
        fmt, ep = FORMATS[i % len(FORMATS)], episode(rng)
        rec = RENDER[fmt](ep, rng)
        rec["id"] = f"{fmt}-{i}"
        out.append((fmt, rec, ep))
    return out


def make_corpus(n: int, seed: int = 0) -> list[tuple[str, dict]]:
    "`n` `(format, record)` pairs, the formats in rotation."
    return [(fmt, rec) for fmt, rec, _ in make_cases(n, seed)]


def _rate(n, dt): return n / dt if dt > 0 else float("inf")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 records instead of 20,000")
    ap.add_argument("--n", type=int, default=None, help="number of records (default 20,000)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    n = a.n or (2000 if a.quick else 20000)
    if hasattr(os, "sched_setaffinity"): os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    corpus = make_corpus(n, a.seed)
    for fmt, rec in corpus[:len(FORMATS)]: parse(rec)  # warm up
    clock = time.process_time  # CPU time of this process: other jobs on a shared machine do not count against us
    per_fmt = {}
    for fmt in FORMATS:  # results are dropped as they come, as in a streaming pipeline
        recs = [r for f, r in corpus if f == fmt]
        t, segs = clock(), 0
        for r in recs: segs += len(parse(r).segments)
        per_fmt[fmt] = (len(recs), clock() - t, segs)
    t, segs = clock(), 0
    for _, r in corpus: segs += len(parse(r).segments)  # auto-detect, formats interleaved
    mixed_dt = clock() - t
    dicts = [parse(r).to_dict() for _, r in corpus]
    t = clock()
    for d in dicts: Trajectory.from_dict(d)
    base = clock() - t
    total = sum(dt for _, dt, _ in per_fmt.values())
    print(f"parse+segment throughput (CPU time), one core, {n:,} records ({n // len(FORMATS):,} per format)")
    print(f"{'format':<12}{'records':>9}{'traj/s':>11}{'segs/traj':>11}")
    for fmt, (k, dt, segs) in per_fmt.items(): print(f"{fmt:<12}{k:>9,}{_rate(k, dt):>11,.0f}{segs / k:>11.1f}")
    print(f"{'all (by fmt)':<12}{n:>9,}{_rate(n, total):>11,.0f}")
    print(f"{'all (mixed)':<12}{n:>9,}{_rate(n, mixed_dt):>11,.0f}   <- headline figure (auto-detect, interleaved)")
    print(f"{'baseline':<12}{n:>9,}{_rate(n, base):>11,.0f}   core Trajectory.from_dict of the same trajectories")
    print(f"ratio parse/baseline: {base / mixed_dt:.2f}x   target >= 5,000 traj/s: {'met' if _rate(n, mixed_dt) >= 5000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
