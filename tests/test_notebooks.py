"""Every module notebook's own tests (the cells below each exported piece), run through pytest."""
from pathlib import Path
import pytest
from nbdev.test import test_nb

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "nbs").glob("*.ipynb") if not p.name.startswith(("_", ".")))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb, monkeypatch):
    monkeypatch.chdir(nb.parent)
    ok, _ = test_nb(nb, skip_flags=["notest", "slow"], force_flags=[], do_print=False, showerr=True)
    assert ok, f"{nb.name}: a cell failed (its traceback is printed above)"
