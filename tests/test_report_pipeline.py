"""The report stage notebook runs under papermill with the common parameters and writes reports/<run_id>/report.html."""
import papermill as pm
from pathlib import Path
from agentic_lab.report_data import fake_run

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "nbs" / "pipelines" / "report.ipynb"


def test_parameters_cell_has_the_common_parameters():
    params = pm.inspect_notebook(str(NB))
    for name in ("run_id", "data_dir", "seed", "compare_runs"):
        assert name in params
    assert params["compare_runs"]["default"] == "[]"


def test_report_notebook_builds_the_run_report(tmp_path):
    data = tmp_path / "data"
    fake_run(data, "r1", seed=0); fake_run(data, "r2", seed=3)
    pm.execute_notebook(str(NB), str(tmp_path / "out.ipynb"), parameters=dict(run_id="r1", data_dir=str(data), seed=1, compare_runs=["r2"],
                        reports_dir=str(tmp_path / "reports"), n_boot=100), progress_bar=False, kernel_name="python3", cwd=str(tmp_path))
    page = (tmp_path / "reports" / "r1" / "report.html").read_text()
    assert "accuracy vs baseline r1" in page
    assert (tmp_path / "reports" / "r1" / "tables" / "r1_bfcl_accuracy.md").exists()
    out = (tmp_path / "out.ipynb").read_text()
    assert "| bfcl | simple | 6 |" in out  # the headline table is in the executed notebook
