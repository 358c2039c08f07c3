"""parse → write → parse keeps calls, segments, tools and reference (OpenAI and Hermes writers, from every input
format), and no mutation of a valid record makes `parse` fail with anything but a one-line `FormatError`."""
import copy, json, random
from pathlib import Path

import pytest

from agentic_lab.formats import FORMATS, WRITERS, FormatError, parse, write
from agentic_lab.spans import coverage_gaps
from bench.bench_formats import make_corpus

FIX = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "formats"
FIXTURES = [(fmt, json.loads(l)) for fmt in FORMATS for l in (FIX / f"{fmt}.jsonl").read_text().splitlines() if l.strip()]
CORPUS = make_corpus(400, seed=1)


def key(t):
    return ([(c.name, c.arguments) for c in t.tool_calls], [(s.kind, s.message, s.text) for s in t.segments],
            [x.to_dict() for x in t.tools], t.reference, [(m.role, m.content) for m in t.messages])


@pytest.mark.parametrize("out", ["openai", "hermes"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_from_every_format(fmt, out):
    recs = [r for f, r in FIXTURES + CORPUS if f == fmt]
    assert len(recs) >= 50
    for r in recs:
        t = parse(r)
        back = parse(write(t, out))
        assert key(back) == key(t), (fmt, out, t.source_id)
        assert back.source_id == t.source_id
        again = parse(write(back, out))
        assert key(again) == key(back)


def test_writers_cross():
    """openai → hermes → openai: same calls and segments."""
    for _, r in FIXTURES:
        t = parse(r)
        assert key(parse(write(parse(write(t, "hermes")), "openai"))) == key(t)


def test_corpus_is_all_formats_and_auto_detected():
    assert {f for f, _ in CORPUS} == set(FORMATS)
    for f, r in CORPUS:
        assert parse(r).meta["format"] == f


MUTANTS = [None, 0, 1.5, True, "", "x", "<tool_call>", "<think>", "{", "[]", [], {}, [None], {"role": "user"}, "Thought: t\nObservation: o"]


def mutate(rng: random.Random, x, depth=0):
    "One random edit somewhere inside `x`: replace, delete, truncate or duplicate a value."
    if isinstance(x, dict) and x:
        k = rng.choice(list(x))
        op = rng.random()
        if op < 0.2: del x[k]
        elif op < 0.45 or depth > 6: x[k] = copy.deepcopy(rng.choice(MUTANTS))
        else: x[k] = mutate(rng, x[k], depth + 1)
    elif isinstance(x, list) and x:
        i = rng.randrange(len(x))
        op = rng.random()
        if op < 0.2: del x[i]
        elif op < 0.3: x.insert(i, copy.deepcopy(x[i]))
        elif op < 0.45 or depth > 6: x[i] = copy.deepcopy(rng.choice(MUTANTS))
        else: x[i] = mutate(rng, x[i], depth + 1)
    elif isinstance(x, str) and x:
        i, j = sorted(rng.randrange(len(x) + 1) for _ in range(2))
        return x[:i] + x[j:] if rng.random() < 0.5 else x[:i] + rng.choice(["<tool_call>", "</think>", "'", "\"", "{", "\nAction: f\n", "\nUSER: ", "🙂"]) + x[i:]
    else:
        return copy.deepcopy(rng.choice(MUTANTS))
    return x


def test_mutations_raise_only_format_error():
    rng = random.Random(0)
    ok = bad = 0
    base = [r for _, r in FIXTURES] + [r for _, r in CORPUS[:80]]
    for n in range(4000):
        rec = copy.deepcopy(rng.choice(base))
        for _ in range(rng.randint(1, 3)): rec = mutate(rng, rec)
        try:
            t = parse(rec)
        except FormatError as e:
            assert "\n" not in str(e), str(e); bad += 1
            continue
        t.validate_segments()
        assert coverage_gaps(t) == [] and t.messages
        ok += 1
    assert ok > 500 and bad > 500, (ok, bad)


@pytest.mark.parametrize("fmt", FORMATS)
def test_react_writer_keeps_calls_observations_and_answers(fmt):
    for r in [r for f, r in FIXTURES + CORPUS if f == fmt]:
        t = parse(r)
        back = parse(write(t, "react"))
        assert [(c.name, c.arguments) for c in back.tool_calls] == [(c.name, c.arguments) for c in t.tool_calls]
        assert [m.role for m in back.messages] == [m.role for m in t.messages if m.role != "system"]
        assert [m.content.strip() for m in back.messages if m.role == "tool"] == [m.content.strip() for m in t.messages if m.role == "tool"]
        assert [s.text.strip() for s in back.segments_of("ANSWER")] == [s.text.strip() for s in t.segments_of("ANSWER")]


def test_parsed_content_matches_the_generating_episode():
    """Each corpus record is rendered from a known episode: parsing must recover its task, calls, results and answer."""
    from bench.bench_formats import make_cases
    for fmt, rec, ep in make_cases(240, seed=2):
        t = parse(rec)
        calls = [(c["name"], c["arguments"]) for s in ep["steps"] for c in s["calls"]]
        if fmt == "xlam": calls = [(c["name"], c["arguments"]) for c in ep["steps"][0]["calls"]]
        if fmt == "bfcl":
            calls = []
            assert t.reference["ground_truth"] == [{c["name"]: {k: [v] for k, v in c["arguments"].items()}} for c in ep["steps"][0]["calls"]]
        assert [(c.name, c.arguments) for c in t.tool_calls] == calls, fmt
        assert t.task.startswith(ep["task"]), fmt
        assert [x.name for x in t.tools] == [x["name"] for x in ep["tools"]], fmt
        if fmt in ("xlam", "bfcl"): continue
        obs = [o for s in ep["steps"] for o in s["obs"]]
        got = [m.content for m in t.messages if m.role == "tool"]
        assert got == (obs if fmt != "toolbench" else [json.dumps({"error": "", "response": o}, ensure_ascii=False) for o in obs]), fmt
        assert t.segments_of("ANSWER")[-1].text == ep["answer"], fmt
        if fmt not in ("glaive", "sharegpt"): assert t.segments_of("REASON")[-1].text.startswith(f"<think>{ep['thought']}</think>"), fmt
