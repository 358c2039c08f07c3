"""CI guard: the committed package is exactly what nbdev_export makes of the notebooks."""
import filecmp, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*.py") if "__pycache__" not in p.parts}


def test_nbdev_export_changes_nothing(tmp_path):
    for name in ("nbs", "agentic_lab"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("settings.ini", "setup.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    before = _tree(tmp_path / "agentic_lab")
    exe = Path(sys.executable).parent / "nbdev_export"
    subprocess.run([str(exe)], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    after = _tree(tmp_path / "agentic_lab")
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"nbdev_export would change {changed}: edit the notebooks, not agentic_lab/, and re-export"
