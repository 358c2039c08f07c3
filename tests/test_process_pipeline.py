"The process pipeline notebook runs under papermill on a demo raw folder and writes processed data, splits and the tokenizer."
import json
from pathlib import Path
import papermill as pm
from agentic_lab.process.run import make_demo_raw

ROOT = Path(__file__).resolve().parent.parent

def test_process_notebook(tmp_path):
    make_demo_raw(tmp_path, per_world=2)
    out = tmp_path/"process.ipynb"
    pm.execute_notebook(str(ROOT/"nbs/pipelines/process.ipynb"), str(out), parameters={"run_id": "t", "data_dir": str(tmp_path), "seed": 1, "vocab_size": 400},
                        kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    m = json.loads((tmp_path/"processed/t/manifest.json").read_text())
    c = m["counts"]
    assert c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"] and c["quarantined"] == 3
    s = json.loads((tmp_path/"splits/t/manifest.json").read_text())
    assert s["leakage"]["leaks"] == 0 and sum(s["sizes"].values()) == c["kept"]
    assert (tmp_path/"splits/t/tokenizer/tokenizer.json").exists() and (tmp_path/"splits/t/tokenized/train").exists()
    for split in ("train", "validation", "test"): assert (tmp_path/"splits/t"/split/"manifest.json").exists()

def test_process_notebook_without_raw_fails_with_reason(tmp_path):
    import pytest
    with pytest.raises(pm.PapermillExecutionError, match="no raw data"):
        pm.execute_notebook(str(ROOT/"nbs/pipelines/process.ipynb"), str(tmp_path/"o.ipynb"), parameters={"run_id": "t", "data_dir": str(tmp_path)},
                            kernel_name="python3", progress_bar=False, cwd=str(ROOT))
