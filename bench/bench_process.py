"""Process-stage benchmark: validate → filter → dedup → tokenize throughput, and padding waste of packing vs. naive padding.

    python bench/bench_process.py            # 100,000 trajectories (the issue's figure)
    python bench/bench_process.py --quick    # 5,000
"""
from __future__ import annotations
import argparse, copy, random, time
import numpy as np

def make_corpus(n: int, base_per_world: int = 60, seed: int = 0):
    "`n` trajectories: oracle episodes from every synthetic world, re-valued copies (distinct), ~5% near-duplicate copies."
    from agentic_lab.synth.worlds import get_world, world_names
    from agentic_lab.synth.tasks import generate_tasks
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    from agentic_lab.spans import segment
    base = [run_episode(OraclePolicy(t), get_world(w, t.world_seed), t) for w in world_names() for t in generate_tasks(w, base_per_world, seed=seed)]
    rng, out = random.Random(seed), []
    dicts = [b.to_dict() for b in base]
    from agentic_lab.core import Trajectory
    for k in range(n):
        d = copy.deepcopy(dicts[k % len(dicts)]); d["source_id"] += f"#{k}"; d["id"] = ""
        if rng.random() < 0.05: d["task"] = d["messages"][1]["content"] = "Please, " + d["messages"][1]["content"]  # a near duplicate
        else:  # another value: the same string substituted in task, calls and answer (observations are not re-executed: throughput only)
            vals = [v for m in d["messages"] for c in m["tool_calls"] for v in c["arguments"].values() if isinstance(v, str) and len(v) > 2 and v in d["task"]]
            tag = f"{k:x}"
            if vals:
                v = vals[0]; d["task"] = d["task"].replace(v, v + tag)
                for m in d["messages"]:
                    m["content"] = m["content"].replace(v, v + tag)
                    for c in m["tool_calls"]: c["arguments"] = {a: (x + tag if x == v else x) for a, x in c["arguments"].items()}
            else: d["task"] += f" (ticket {tag})"; d["messages"][1]["content"] = d["task"]
        out.append(segment(Trajectory.from_dict(d)))
    return out

def padding_table(lengths, batch_size: int, max_length: int, pack_length: int, seed: int = 0):
    "Padding waste of the collated batches: naive random batches, length-grouped batches, and packed batches."
    import torch
    from agentic_lab.process.dataset import AgenticCollator, LengthGroupedSampler, PackedBatchSampler, padding_waste
    rng = random.Random(seed); lengths = [min(l, max_length) for l in lengths]
    feats = [{"input_ids": [1] * l, "labels": [1] * l, "segment_ids": [3] * l} for l in lengths]
    def waste(batches, collate):
        slots = used = 0
        for b in batches:
            x = collate([feats[i] for i in b]); m = x["attention_mask"]; slots += m.numel(); used += int(m.sum())
        return 1 - used / slots
    idx = list(range(len(lengths))); rng.shuffle(idx)
    pad = AgenticCollator(0)
    naive = waste([idx[i:i + batch_size] for i in range(0, len(idx), batch_size)], pad)
    g = list(LengthGroupedSampler(lengths, batch_size))
    grouped = waste([g[i:i + batch_size] for i in range(0, len(g), batch_size)], pad)
    rows = max(1, batch_size * max_length // pack_length)  # the same token budget per batch
    packed = waste(list(PackedBatchSampler(lengths, pack_length, rows_per_batch=rows)), AgenticCollator(0, packing=True, max_length=pack_length))
    return {"naive": naive, "length_grouped": grouped, "packed": packed}

def _cpu() -> float:
    "CPU seconds of this process (all threads) and of its finished child processes."
    import resource
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime

def old_tokenize(trajs, tok, max_length, batch_size=512):
    "The previous path, as a baseline: `encode_batch` Python lists per batch, then `Dataset.from_dict`."
    import datasets
    from agentic_lab.process.tokenize import encode_batch
    from agentic_lab.process.dataset import COLUMNS, _features
    cols = {k: [] for k in (*COLUMNS, "traj_id", "chunk", "source", "length")}
    for i in range(0, len(trajs), batch_size):
        for t, rows in zip(trajs[i:i + batch_size], encode_batch(trajs[i:i + batch_size], tok, max_length)):
            for j, r in enumerate(rows):
                for k in COLUMNS: cols[k].append(r[k])
                cols["traj_id"].append(t.id); cols["chunk"].append(j); cols["source"].append(t.source); cols["length"].append(len(r["input_ids"]))
    return datasets.Dataset.from_dict(cols, features=_features())

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000); p.add_argument("--quick", action="store_true")
    p.add_argument("--max-length", type=int, default=1024); p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--pack-length", type=int, default=4096, help="row length of packed batches")
    p.add_argument("--num-proc", type=int, default=2, help="tokenizer worker processes")
    p.add_argument("--baseline-n", type=int, default=10_000, help="trajectories the tokenize baselines run on")
    a = p.parse_args(argv)
    n = 5000 if a.quick else a.n
    from agentic_lab.process.filter import QualityFilter
    from agentic_lab.process.dedup import Deduplicator
    from agentic_lab.process.tokenize import train_tokenizer, encode, render
    from agentic_lab.process.dataset import tokenize_trajectories
    import datasets  # imported before timing: its import is no part of any step
    t0 = time.perf_counter(); corpus = make_corpus(n); t_gen = time.perf_counter() - t0
    tok = train_tokenizer(corpus[:2000], vocab_size=2000)
    times, cpu, count = {}, {}, {}
    def timed(name, m, fn):
        t, c = time.perf_counter(), _cpu(); out = fn()
        times[name], cpu[name], count[name] = time.perf_counter() - t, _cpu() - c, m
        return out
    qf = QualityFilter(); kept = timed("validate+filter", n, lambda: list(qf(corpus)))
    dd = Deduplicator(); kept = timed("dedup", n, lambda: dd(kept))
    ds = timed("tokenize", len(kept), lambda: tokenize_trajectories(kept, tok, a.max_length, num_proc=a.num_proc))
    steps = list(times)
    total, total_cpu = sum(times.values()), sum(cpu.values())
    # baselines and the new path on the same subset, in this run
    sub = kept[:a.baseline_n]; m = len(sub)
    import agentic_lab.process.tokenize as tkm
    def cold(fn):  # every contender starts without the turn and tool-list caches the earlier steps filled
        tok.__dict__.pop("_agentic_turn_cache", None); tkm._TOOLS_CACHE.clear(); return fn
    _ = timed("plain tokenizer(text)", m, cold(lambda: tok([render(t).text for t in sub], add_special_tokens=False, return_offsets_mapping=True)))
    _ = timed("old: encode per traj", m, cold(lambda: [encode(t, tok, a.max_length) for t in sub]))
    _ = timed("old: encode_batch+from_dict", m, cold(lambda: old_tokenize(sub, tok, a.max_length)))
    _ = timed("new: 1 process", m, cold(lambda: tokenize_trajectories(sub, tok, a.max_length)))
    _ = timed(f"new: {a.num_proc} processes", m, cold(lambda: tokenize_trajectories(sub, tok, a.max_length, num_proc=a.num_proc)))
    print(f"process benchmark: {n:,} trajectories (generated in {t_gen:.1f}s), kept {len(kept):,} -> {len(ds):,} token rows, dropped {dict(qf.counts['dropped']) | dict(dd.counts['dropped'])}")
    head = f"{'step':<30}{'n':>8}{'wall s':>9}{'traj/s':>9}{'cpu s':>9}{'traj/cpu-s':>12}"
    line = lambda k: print(f"{k:<30}{count[k]:>8,}{times[k]:>9.2f}{count[k] / times[k]:>9,.0f}{cpu[k]:>9.2f}{count[k] / max(cpu[k], 1e-9):>12,.0f}")
    print(head); [line(k) for k in steps]
    print(f"{'end to end':<30}{n:>8,}{total:>9.2f}{n / total:>9,.0f}{total_cpu:>9.2f}{n / total_cpu:>12,.0f}   (aim >= 3,000/s wall on 2 cores: {'met' if n / total >= 3000 else 'NOT met'})")
    print(f"\ntokenize baselines on {m:,} kept trajectories (same run)"); print(head)
    base = [k for k in times if k not in steps]
    for k in base: line(k)
    new = f"new: {a.num_proc} processes"
    for k in base[:3]:
        print(f"speed-up of '{new}' over '{k}': wall x{times[k] / times[new]:.2f}, cpu x{cpu[k] / cpu[new]:.2f};  'new: 1 process': wall x{times[k] / times['new: 1 process']:.2f}, cpu x{cpu[k] / cpu['new: 1 process']:.2f}")
    print("cpu s counts every thread of this process (the tokenizer's Rust threads too) and its worker processes; wall time depends on what else runs on the machine")
    w = padding_table(ds["length"], a.batch_size, a.max_length, a.pack_length)
    print(f"\npadding waste (batch {a.batch_size} x max_length {a.max_length}; packed rows of {a.pack_length}, same tokens per batch; {len(ds):,} sequences)")
    for k, v in w.items(): print(f"{k:<18}{v:>10.1%}{'':>4}ratio vs naive {v / w['naive']:.3f}")
    print(f"packed waste {w['packed']:.1%} (aim <= 5%: {'met' if w['packed'] <= 0.05 else 'NOT met'}); {w['packed'] / w['naive']:.1%} of the naive figure")
    return {"times": times, "cpu": cpu, "n": n, "waste": w}

if __name__ == "__main__":
    main()
