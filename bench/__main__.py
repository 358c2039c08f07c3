"""`make bench`: run every benchmark in bench/ (bench_*.py, each with `main(argv)`), one after the other.

Usage: python -m bench [--quick] [NAME ...]   (NAME: formats, collect, synth, process, evaluate, train)
Each benchmark prints its own table; figures are ratios against a baseline measured in the same run.
"""
import importlib, sys, time
from pathlib import Path


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = [a for a in argv if a.startswith("--")]
    names = [a for a in argv if not a.startswith("--")] or sorted(p.stem[6:] for p in Path(__file__).parent.glob("bench_*.py"))
    failed = []
    for name in names:
        print(f"\n=== bench_{name} ===", flush=True)
        t0 = time.time()
        try:
            importlib.import_module(f"bench.bench_{name}").main(quick)
        except Exception as e:  # one broken benchmark must not hide the others' figures
            failed.append(name); print(f"bench_{name} failed: {type(e).__name__}: {e}")
        print(f"--- bench_{name}: {time.time() - t0:.1f}s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
