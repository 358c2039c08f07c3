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

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000); p.add_argument("--quick", action="store_true")
    p.add_argument("--max-length", type=int, default=1024); p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--pack-length", type=int, default=4096, help="row length of packed batches")
    a = p.parse_args(argv)
    n = 5000 if a.quick else a.n
    from agentic_lab.process.filter import QualityFilter
    from agentic_lab.process.dedup import Deduplicator
    from agentic_lab.process.tokenize import train_tokenizer, encode_batch
    t0 = time.perf_counter(); corpus = make_corpus(n); t_gen = time.perf_counter() - t0
    tok = train_tokenizer(corpus[:2000], vocab_size=2000)
    times, cpu = {}, {}
    def timed(name, fn):
        t, c = time.perf_counter(), time.process_time(); out = fn()
        times[name], cpu[name] = time.perf_counter() - t, time.process_time() - c
        return out
    qf = QualityFilter(); kept = timed("validate+filter", lambda: list(qf(corpus)))
    dd = Deduplicator(); kept = timed("dedup", lambda: dd(kept))
    rows = timed("tokenize", lambda: [r for i in range(0, len(kept), 1000) for rs in encode_batch(kept[i:i + 1000], tok, a.max_length) for r in rs])
    total, total_cpu = sum(times.values()), sum(cpu.values())
    print(f"process benchmark: {n:,} trajectories (generated in {t_gen:.1f}s), kept {len(kept):,}, dropped {dict(qf.counts['dropped']) | dict(dd.counts['dropped'])}")
    print(f"{'step':<18}{'wall s':>10}{'traj/s':>12}{'cpu s':>10}{'traj/cpu-s':>12}")
    for k, v in times.items():
        m = n if k != "tokenize" else len(kept)
        print(f"{k:<18}{v:>10.2f}{m / v:>12,.0f}{cpu[k]:>10.2f}{m / max(cpu[k], 1e-9):>12,.0f}")
    print(f"{'end to end':<18}{total:>10.2f}{n / total:>12,.0f}{total_cpu:>10.2f}{n / total_cpu:>12,.0f}   (aim >= 3,000/s wall on 2 cores: {'met' if n / total >= 3000 else 'NOT met'})")
    print("cpu s counts every thread of this process (the tokenizer's Rust threads too); wall time depends on what else runs on the machine")
    w = padding_table([len(r["input_ids"]) for r in rows], a.batch_size, a.max_length, a.pack_length)
    print(f"\npadding waste (batch {a.batch_size} x max_length {a.max_length}; packed rows of {a.pack_length}, same tokens per batch; {len(rows):,} sequences)")
    for k, v in w.items(): print(f"{k:<18}{v:>10.1%}{'':>4}ratio vs naive {v / w['naive']:.3f}")
    print(f"packed waste {w['packed']:.1%} (aim <= 5%: {'met' if w['packed'] <= 0.05 else 'NOT met'}); {w['packed'] / w['naive']:.1%} of the naive figure")
    return {"times": times, "n": n, "waste": w}

if __name__ == "__main__":
    main()
