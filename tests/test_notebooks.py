"""Every module notebook's own tests (the cells below each exported piece), run through pytest."""
import json
from pathlib import Path
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbdev.test import test_nb as run_notebook_tests

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "nbs").glob("*.ipynb") if not p.name.startswith(("_", ".")))
PIPELINES = sorted((ROOT / "nbs" / "pipelines").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS + PIPELINES, ids=lambda p: p.stem)
def test_every_code_cell_compiles(nb):
    # nbdev_test can report success on a notebook whose cell is not valid Python; compile each cell ourselves
    tm = TransformerManager()
    for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = tm.transform_cell("".join(cell["source"]))
        try:
            compile(src, f"{nb.name}[cell {i}]", "exec")
        except SyntaxError as e:
            pytest.fail(f"{nb.name} cell {i}: {e.msg} (line {e.lineno})")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb, monkeypatch):
    monkeypatch.chdir(nb.parent)
    ok, _ = run_notebook_tests(nb, skip_flags=["notest", "slow"], force_flags=[], do_print=False, showerr=True)
    assert ok, f"{nb.name}: a cell failed (its traceback is printed above)"
