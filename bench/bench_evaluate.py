"""Evaluation throughput: AST checks per second (ours vs BFCL's official checker on the same predictions) and evaluation
items per second with a tiny local Hugging Face model (greedy, through the full runner).

    python bench/bench_evaluate.py [--quick] [--checks N] [--items N]
"""
from __future__ import annotations
import argparse, copy, json, sys, tempfile, time
from pathlib import Path

def predictions(n: int):
    "n (functions, decoded prediction, possible answer, category) tuples cycling over BFCL's AST categories and mutations."
    sys.path.insert(0, str(Path(__file__).parent))
    from bfcl_agreement import AST_CATEGORIES, mutations
    from agentic_lab.evaluate.bfcl import load_category, ground_truth_calls
    from agentic_lab.evaluate.parse import to_bfcl
    pool = []
    for cat in AST_CATEGORIES:
        for e in load_category(cat, 60):
            for _, pred in mutations(e, to_bfcl(ground_truth_calls(e))): pool.append((e["function"], pred, e["ground_truth"], cat))
    return [pool[i % len(pool)] for i in range(n)]

def bench_checks(n: int) -> dict:
    from agentic_lab.evaluate.ast_check import check_calls, language_of
    from bfcl_agreement import official_checker
    work = predictions(n)
    t = time.perf_counter()
    for f, p, a, c in work: check_calls(p, f, a, c)
    ours = n / (time.perf_counter() - t)
    ast_checker, Language = official_checker()
    langs = {"python": Language.PYTHON, "java": Language.JAVA, "javascript": Language.JAVASCRIPT}
    t = time.perf_counter()
    for f, p, a, c in work:
        try: ast_checker(f, p, a, langs[language_of(c)], c, "x")
        except Exception: pass
    official = n / (time.perf_counter() - t)
    return {"ours": ours, "official": official}

def tiny_model(d: Path) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM
    from agentic_lab.core import Message, ToolCall, Trajectory
    from agentic_lab.process.tokenize import train_tokenizer
    trajs = [Trajectory("t", str(i), [Message("user", f"what is {i} plus {i}?"), Message("assistant", "", [ToolCall("calculate", {"expression": f"{i}+{i}"}, id="c")]),
                                      Message("tool", str(2 * i), tool_call_id="c"), Message("assistant", f"It is {2 * i}.")]) for i in range(30)]
    tok = train_tokenizer(trajs, vocab_size=400, out_dir=d)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=4096, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
    LlamaForCausalLM(cfg).save_pretrained(d); tok.save_pretrained(d)
    return d

def bench_items(limit: int) -> dict:
    from agentic_lab.evaluate.runner import run_evaluation
    d = Path(tempfile.mkdtemp())
    model = tiny_model(d / "m")
    out = {}
    for suites, cats in [("bfcl", "simple_python,multiple"), ("worlds", "math,retail"), ("safety", None)]:
        t = time.perf_counter()
        s = run_evaluation(str(model), suites, d / suites, categories=cats, limit=limit, max_steps=2, progress=False, max_new_tokens=16)
        dt = time.perf_counter() - t
        t = time.perf_counter()
        run_evaluation(str(model), suites, d / suites, categories=cats, limit=limit, max_steps=2, progress=False, max_new_tokens=16)  # cached re-score
        out[suites] = (s["overall"]["items"] / dt, s["overall"]["items"] / (time.perf_counter() - t))
    return out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true"); ap.add_argument("--checks", type=int, default=100_000); ap.add_argument("--items", type=int, default=10)
    a = ap.parse_args(argv)
    n, lim = (5_000, 2) if a.quick else (a.checks, a.items)
    c = bench_checks(n)
    print(f"{'AST checks/s (1 core)':34s} {'ours':>10s} {'official':>10s} {'ratio':>7s}")
    print(f"{f'{n} checks, 10 categories x 8 mutations':34s} {c['ours']:10.0f} {c['official']:10.0f} {c['ours'] / c['official']:7.2f}x   (target >= 20,000/s)")
    it = bench_items(lim)
    print(f"\n{'items/s, tiny local HF model':34s} {'generate':>10s} {'re-score':>10s} {'ratio':>7s}")
    for s, (g, r) in it.items(): print(f"{s + f' (limit {lim}/category)':34s} {g:10.2f} {r:10.1f} {r / g:7.1f}x")
    return 0

if __name__ == "__main__":
    sys.exit(main())
