"The train pipeline notebook under papermill: reads a split, writes teacher and student models with metrics."
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_train_pipeline_notebook(tmp_path):
    import papermill as pm
    from agentic_lab.train.run import write_toy_splits
    data = tmp_path / "data"
    write_toy_splits(data, "p", n_train=12, n_eval=2, vocab_size=300)
    pm.execute_notebook(str(ROOT / "nbs" / "pipelines" / "train.ipynb"), str(tmp_path / "train.ipynb"), kernel_name="python3", progress_bar=False,
                        parameters={"run_id": "p", "data_dir": str(data), "seed": 0, "teacher_steps": 3, "student_steps": 2, "eval_items": 2})
    md = data / "models" / "p"
    for name in ("teacher", "student"):
        for f in ("model.safetensors", "config.json", "tokenizer.json", "metrics.jsonl", "eval.json"): assert (md / name / f).exists(), (name, f)
    rows = [json.loads(l) for l in (md / "student" / "metrics.jsonl").read_text().splitlines()]
    assert any("train_loss" in r for r in rows)
    summary = json.loads((md / "summary.json").read_text())
    assert {"teacher", "untrained_student", "student"} <= set(summary["models"])
