"""Agreement between our AST checker (`agentic_lab.evaluate.ast_check`) and BFCL's official one (`bfcl_eval`'s `ast_checker`).

Both judge the same decoded predictions: every single-turn AST item's ground truth (turned into a prediction) and systematic
mutations of it (wrong type, missing / extra parameter, wrong value, swapped parallel order, wrong function, int for float).
BFCL's checker module imports its whole model stack only through `constants.model_config`; we stub that one module
(`underscore_to_dot=False`, i.e. a prompting model) and import the checker directly — no separate environment needed.

    python bench/bfcl_agreement.py [--quick] [--categories simple_python,parallel] [--show 50]
"""
from __future__ import annotations
import argparse, copy, sys, time, types
from collections import Counter, defaultdict

def official_checker():
    "BFCL's `ast_checker` and `Language`, imported with the model-config module stubbed out."
    stub = types.ModuleType("bfcl_eval.constants.model_config")
    stub.MODEL_CONFIG_MAPPING = defaultdict(lambda: types.SimpleNamespace(underscore_to_dot=False))
    sys.modules.setdefault("bfcl_eval.constants.model_config", stub)
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
    from bfcl_eval.constants.enums import Language
    return ast_checker, Language

AST_CATEGORIES = ("simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple",
                  "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")

def _other_value(v):
    "A value of the same type that differs from `v`."
    if isinstance(v, bool): return not v
    if isinstance(v, int): return v + 1
    if isinstance(v, float): return v + 1.5
    if isinstance(v, str): return v + "_x" if v else "x"
    if isinstance(v, list): return v + [v[0]] if v else ["x"]
    if isinstance(v, dict): return {**v, "zz_extra": 1}
    return "x"

def _other_type(v):
    "A value of another type."
    if isinstance(v, str): return 12345
    if isinstance(v, (bool, int, float)): return str(v)
    if isinstance(v, list): return "not a list"
    if isinstance(v, dict): return ["not", "a", "dict"]
    return 0

def mutations(entry: dict, gt: list[dict]):
    "(name, decoded prediction) pairs: the ground truth and its systematic mutations."
    yield "ground_truth", gt
    if not gt: return
    (name, args), = gt[0].items()
    keys = list(args)
    if keys:
        k = keys[0]
        yield "wrong_type", [{name: {**args, k: _other_type(args[k])}}] + gt[1:]
        yield "wrong_value", [{name: {**args, k: _other_value(args[k])}}] + gt[1:]
        yield "missing_param", [{name: {kk: v for kk, v in args.items() if kk != k}}] + gt[1:]
        ints = [kk for kk, v in args.items() if isinstance(v, float) and v.is_integer()]
        if ints: yield "int_for_float", [{name: {**args, ints[0]: int(args[ints[0]])}}] + gt[1:]
    yield "extra_param", [{name: {**args, "zz_extra": 1}}] + gt[1:]
    others = [f["name"] for f in entry["function"] if f["name"] != name]
    yield "wrong_function", [{(others[0] if others else name + "_x"): args}] + gt[1:]
    if len(gt) > 1: yield "swapped_order", list(reversed(gt))
    yield "dropped_call", gt[:-1] if len(gt) > 1 else []

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--categories", default=",".join(AST_CATEGORIES))
    ap.add_argument("--quick", action="store_true", help="first 30 items per category")
    ap.add_argument("--show", type=int, default=100, help="disagreements to list")
    a = ap.parse_args(argv)
    from agentic_lab.evaluate.bfcl import load_category, ground_truth_calls, language_of
    from agentic_lab.evaluate.ast_check import check_calls
    from agentic_lab.evaluate.parse import to_bfcl
    ast_checker, Language = official_checker()
    langs = {"python": Language.PYTHON, "java": Language.JAVA, "javascript": Language.JAVASCRIPT}
    total, agree, per, dis, gt_fail, same_type, both_fail = 0, 0, Counter(), [], [], 0, 0
    t0 = time.time()
    for cat in a.categories.split(","):
        for e in load_category(cat, 30 if a.quick else None):
            gt = to_bfcl(ground_truth_calls(e))
            for mname, pred in mutations(e, gt):
                try: off = ast_checker(copy.deepcopy(e["function"]), copy.deepcopy(pred), copy.deepcopy(e["ground_truth"]), langs[language_of(cat)], cat, "agentic-lab")
                except Exception as ex: off = {"valid": False, "error_type": f"official_crash:{type(ex).__name__}", "error": [str(ex)]}
                ours = check_calls(copy.deepcopy(pred), e["function"], e["ground_truth"], cat)
                total += 1; ok = bool(off["valid"]) == ours.valid; agree += ok
                if not off["valid"] and not ours.valid: both_fail += 1; same_type += off.get("error_type") == ours.error_type
                per[(cat, mname, "n")] += 1; per[(cat, mname, "agree")] += ok
                if not ok: dis.append((e["id"], mname, off["valid"], off.get("error_type"), ours.valid, ours.error_type, ours.reason[:100]))
                if mname == "ground_truth" and not ours.valid: gt_fail.append((e["id"], ours.error_type, bool(off["valid"]), off.get("error_type"), ours.reason[:100]))
    dt = time.time() - t0
    print(f"{'category':24s} {'mutation':16s} {'n':>6s} {'agree':>7s}")
    for (cat, m, k) in sorted(per):
        if k == "n": print(f"{cat:24s} {m:16s} {per[(cat, m, 'n')]:6d} {per[(cat, m, 'agree')] / per[(cat, m, 'n')]:7.2%}")
    print(f"\nagreement: {agree}/{total} = {agree / max(total, 1):.4%}  ({dt:.1f}s, {2 * total / dt:.0f} checks/s for both checkers)")
    print(f"error type identical where both reject: {same_type}/{both_fail} = {same_type / max(both_fail, 1):.2%}")
    print(f"\nground truths our checker rejects: {len(gt_fail)} (official accepts: {sum(g[2] for g in gt_fail)})")
    for g in gt_fail: print("  ", g)
    print(f"\ndisagreements: {len(dis)}")
    for d in dis[:a.show]: print("  ", d)
    return 0 if agree / max(total, 1) >= 0.995 else 1

if __name__ == "__main__":
    sys.exit(main())
