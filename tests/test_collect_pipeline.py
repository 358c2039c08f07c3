"""The collect pipeline notebook runs its smoke profile through papermill into a temporary data folder."""
import json
from pathlib import Path

import papermill as pm

from agentic_lab.store import read_manifest

ROOT = Path(__file__).resolve().parent.parent


def test_collect_pipeline_smoke(tmp_path):
    pm.execute_notebook(str(ROOT / "nbs" / "pipelines" / "collect.ipynb"), str(tmp_path / "collect.ipynb"), kernel_name="python3",
                        parameters={"run_id": "t", "data_dir": str(tmp_path / "data"), "source_options": {"bfcl": {"per_category": 3}}},
                        progress_bar=False, cwd=str(ROOT))
    for src in ("bfcl", "examples"):
        m = read_manifest(tmp_path / "data" / "raw" / src)
        assert m["complete"] and m["counts"]["kept"] > 0 and m["counts"]["quarantined"] == 0, src
    assert read_manifest(tmp_path / "data" / "raw" / "bfcl")["counts"]["kept"] == 3 * 19
