"""Training throughput, side by side in one run on the same teacher, student and batches (B×T):
plain SFT (`transformers.Trainer`), TRL's `GKDTrainer` (off-policy, lmbda=0) at forward KL and at its default JSD,
a bare forward-KL loop, and SAD (`SADTrainer`) with a live teacher and with cached top-k teacher log-probs.
Also the padding waste of packed vs. padded batches. Prints a table and the ratios the issue aims at.

    python bench/bench_train.py            # 7.5M teacher, 2.6M student, B8×T256
    python bench/bench_train.py --quick    # tiny models, a few steps
"""
from __future__ import annotations
import argparse, logging, tempfile, time, warnings
from pathlib import Path
import numpy as np
import torch
import torch.nn.functional as F
from transformers import Trainer, TrainingArguments, TrainerCallback

from agentic_lab.train.models import build_model, n_params, cache_teacher_logits, TeacherCache
from agentic_lab.train.trainer import SADConfig, SADTrainer, SADCollator, pack_examples
from agentic_lab.train.run import toy_trajectories
from agentic_lab.train.losses import IGNORE


class StepTimer(TrainerCallback):
    "Wall time at the end of every optimizer step."
    def __init__(self): self.t = []
    def on_step_end(self, args, state, control, **kw): self.t.append(time.perf_counter())


def _throughput(timer: StepTimer, tokens_per_step: int, warmup: int) -> float:
    t = timer.t[warmup - 1:]
    return tokens_per_step * (len(t) - 1) / (t[-1] - t[0])


def make_data(n_traj: int, T: int, vocab: int, seed: int = 0):
    "Toy agentic trajectories → tokenizer → rows packed to exactly-T windows (the same batches for every trainer)."
    from agentic_lab.process.tokenize import train_tokenizer, encode
    trajs = toy_trajectories(n_traj, seed)
    for t in trajs: t.tools = []  # short rows (no tool schemas in the prompt) so that packing has something to pack
    tok = train_tokenizer(trajs, vocab)
    rows = [r for t in trajs for r in encode(t, tok, max_length=1024)]
    return tok, rows


def fixed_items(rows: list[dict], T: int) -> list[dict]:
    "Packed rows, padded to T by the collator, so every method sees identical [B, T] batches."
    return pack_examples(rows, T, packing=True)


def padding_waste(rows: list[dict], T: int, B: int) -> tuple[float, float]:
    "Fraction of padded positions in collated batches of B: examples padded to the batch's longest vs. packed rows (best-fit, ≤ T) likewise."
    ok = [r for r in rows if len(r["input_ids"]) <= T]
    def waste(lens):
        return 1 - sum(lens) / sum(B * max(lens[i:i + B]) * len(lens[i:i + B]) / B for i in range(0, len(lens), B))
    return waste([len(r["input_ids"]) for r in ok]), waste([len(it["input_ids"]) for it in pack_examples(ok, T)])


class PlainCollator:
    "input_ids / attention_mask / labels (+ position_ids) for the reference trainers."
    def __init__(self, pad_id, positions=True): self.inner, self.positions = SADCollator(pad_id, pad_to_multiple_of=1), positions
    def __call__(self, items):
        b = self.inner(items)
        out = {"input_ids": b["input_ids"], "attention_mask": torch.ones_like(b["input_ids"]), "labels": b["labels"]}
        if self.positions: out = {"input_ids": b["input_ids"], "labels": b["labels"], "position_ids": b["position_ids"]}
        return out


def bare_fkl_loop(student, teacher, items, collate, B: int, steps: int, warmup: int, lr: float) -> float:
    "A hand-written forward-KL loop over all positions (no Trainer): the cost of the arithmetic alone."
    opt = torch.optim.AdamW(student.parameters(), lr=lr); student.train(); teacher.eval()
    ts = []
    for s in range(steps):
        b = collate(items[(s * B) % len(items):(s * B) % len(items) + B] or items[:B])
        logits = student(input_ids=b["input_ids"], position_ids=b["position_ids"], use_cache=False).logits[:, :-1]
        with torch.no_grad(): tl = teacher(input_ids=b["input_ids"], position_ids=b["position_ids"], use_cache=False).logits[:, :-1]
        mask = b["labels"][:, 1:] != IGNORE
        kl = F.kl_div(F.log_softmax(logits, -1), F.log_softmax(tl, -1), log_target=True, reduction="none").sum(-1)
        loss = (kl * mask).sum() / mask.sum()
        opt.zero_grad(); loss.backward(); opt.step(); ts.append(time.perf_counter())
    T = b["input_ids"].shape[1]
    return B * T * (len(ts[warmup - 1:]) - 1) / (ts[-1] - ts[warmup - 1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny models and few steps (for development)")
    ap.add_argument("--batch", type=int, default=8); ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=30); ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--vocab", type=int, default=2048); ap.add_argument("--topk", type=int, default=32)
    ap.add_argument("--teacher", default="teacher"); ap.add_argument("--student", default="student")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = leave as is)")
    a = ap.parse_args(argv)
    if a.quick: a.teacher, a.student, a.steps, a.warmup, a.vocab, a.seq = "tiny-teacher", "tiny-student", 8, 3, 600, 128
    if a.threads: torch.set_num_threads(a.threads)
    logging.disable(logging.WARNING); warnings.filterwarnings("ignore")
    B, T = a.batch, a.seq
    tok, rows = make_data(300 if not a.quick else 80, T, a.vocab)
    items = fixed_items(rows, T)
    V = len(tok)
    teacher = build_model(a.teacher, V, seed=1).eval()
    mk_student = lambda: build_model(a.student, V, seed=2)
    tmp = Path(tempfile.mkdtemp())
    tokens_per_step = B * T
    common = dict(max_steps=a.steps, per_device_train_batch_size=B, learning_rate=1e-3, logging_steps=10_000, save_strategy="no",
                  report_to="none", use_cpu=True, disable_tqdm=True, seed=0, dataloader_drop_last=True)
    results = {}

    def run(name, trainer):
        timer = StepTimer(); trainer.add_callback(timer); trainer.train()
        results[name] = _throughput(timer, tokens_per_step, a.warmup)

    # plain SFT: the student's own forward/backward with HF's CE loss
    run("sft (transformers.Trainer)", Trainer(model=mk_student(), args=TrainingArguments(output_dir=str(tmp / "sft"), remove_unused_columns=False, **common),
                                              train_dataset=items, data_collator=PlainCollator(tok.pad_token_id)))
    # TRL GKD, off-policy (lmbda=0): forward KL (beta=0) and its default JSD (beta=0.5)
    import datasets
    items_ds = datasets.Dataset.from_list([{k: it[k] for k in ("input_ids", "labels", "segment_ids", "position_ids")} for it in items])
    try:
        from trl.experimental.gkd import GKDConfig, GKDTrainer
        for beta, label in ((0.0, "forward KL"), (0.5, "JSD β=0.5")):
            cfg = GKDConfig(output_dir=str(tmp / f"gkd{beta}"), lmbda=0.0, beta=beta, max_length=T, **common)
            run(f"trl GKDTrainer ({label})", GKDTrainer(model=mk_student(), teacher_model=teacher, args=cfg, train_dataset=items_ds,
                                                        processing_class=tok, data_collator=PlainCollator(tok.pad_token_id, positions=False)))
    except ImportError as e:
        print(f"trl GKDTrainer unavailable: {e}")
    results["bare forward-KL loop"] = bare_fkl_loop(mk_student(), teacher, items, SADCollator(tok.pad_token_id, pad_to_multiple_of=1), B, a.steps, a.warmup, 1e-3)
    # SAD with a live teacher at the same divergence (forward KL), and at JSD
    for div in ("forward_kl", "jsd"):
        cfg = SADConfig(output_dir=str(tmp / f"sad-{div}"), method="sad", divergence=div, max_length=T, **common)
        run(f"SAD live teacher ({div})", SADTrainer(model=mk_student(), args=cfg, teacher=teacher, train_dataset=items, data_collator=SADCollator(tok.pad_token_id, pad_to_multiple_of=1)))
    # SAD with cached top-k teacher log-probs (cache built once, not timed)
    t0 = time.perf_counter()
    examples = [{"input_ids": it["input_ids"], "labels": it["labels"]} for it in items]
    cache = TeacherCache(cache_teacher_logits(teacher, examples, tmp / "cache", k=a.topk))
    cache_s = time.perf_counter() - t0
    cached_items = [{**it, "example_index": [i]} for i, it in enumerate(items)]
    cfg = SADConfig(output_dir=str(tmp / "sad-cached"), method="sad", max_length=T, **common)
    run(f"SAD cached top-{a.topk}", SADTrainer(model=mk_student(), args=cfg, train_dataset=cached_items, data_collator=SADCollator(tok.pad_token_id, cache=cache, pad_to_multiple_of=1)))

    pad_padded, pad_packed = padding_waste(rows, T, B)
    print(f"\nteacher {a.teacher} {n_params(teacher) / 1e6:.2f}M params, student {a.student} {n_params(mk_student()) / 1e6:.2f}M, vocab {V}, B{B}×T{T}, "
          f"{a.steps} steps ({a.warmup} warm-up), torch threads {torch.get_num_threads()}")
    print(f"{'method':34s} {'tokens/s':>10s} {'× SFT':>7s}")
    sft = results["sft (transformers.Trainer)"]
    for k, v in results.items(): print(f"{k:34s} {v:10.0f} {v / sft:7.2f}")
    gkd = results.get("trl GKDTrainer (forward KL)")
    if gkd: print(f"\nSAD live / TRL GKD (forward KL): {results['SAD live teacher (forward_kl)'] / gkd:.2f}  (aim ≥ 1.25)")
    gj = results.get("trl GKDTrainer (JSD β=0.5)")
    if gj: print(f"SAD live / TRL GKD (JSD):        {results['SAD live teacher (jsd)'] / gj:.2f}")
    print(f"SAD cached / SFT:                {results[f'SAD cached top-{a.topk}'] / sft:.2f}  (aim ≥ 0.95; cache built once in {cache_s:.1f}s)")
    print(f"padding waste: padded batches {pad_padded:.1%}, packed rows {pad_packed:.1%}  (aim ≤ 5%)")
    return results


if __name__ == "__main__":
    main()
