"`agentic-lab train`: bad configs fail at start with a one-line reason (exit 2), before any training."
import os, subprocess, sys
from pathlib import Path
import pytest

def _cli(*args, cwd=None):
    "The real console entry point in a subprocess."
    r = subprocess.run([sys.executable, "-c", "import sys; from agentic_lab.cli import main; sys.exit(main())", "train", *args], capture_output=True,
                       text=True, timeout=120, cwd=cwd, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    return r

def _main(capsys, *args):
    "`agentic-lab train ARGS` in this process: (exit code, stderr lines)."
    from agentic_lab.cli import main
    code = main(["train", *args])
    return code, capsys.readouterr().err.strip().splitlines()

@pytest.fixture(scope="module")
def splits(tmp_path_factory):
    from agentic_lab.train.run import write_toy_splits
    d = tmp_path_factory.mktemp("data")
    write_toy_splits(d, "r", n_train=12, n_eval=2, vocab_size=300)
    return d

def _yaml(tmp_path, text):
    p = tmp_path / "c.yaml"; p.write_text(text); return str(p)

@pytest.mark.parametrize("text,reason", [
    ("students:\n  - {name: a, method: distill}\n", "unknown loss 'distill'"),
    ("students:\n  - {name: a, method: sad, act_weight: -0.5}\n", "loss.weights.act"),
    ("loss: {divergence: wasserstein}\n", "unknown divergence"),
    ("studentz: []\n", "unknown key 'studentz'"),
    ("teacher: {max_steps: 0}\n", "max_steps"),
])
def test_bad_config_one_line(tmp_path, splits, capsys, text, reason):
    code, err = _main(capsys, "--config", _yaml(tmp_path, text), "--data-dir", str(splits), "--run-id", "r")
    assert code == 2 and len(err) == 1 and reason in err[0], err

def test_missing_dataset(tmp_path):
    r = _cli("--data-dir", str(tmp_path / "nowhere"), "--run-id", "r")
    assert r.returncode == 2 and "missing" in r.stderr and "splits/r/train" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

def test_teacher_vocab_mismatch(tmp_path, splits, capsys):
    from agentic_lab.train.models import build_model
    build_model("tiny-teacher", 5000).save_pretrained(tmp_path / "teacher")
    capsys.readouterr()  # drop save_pretrained's progress bar
    code, err = _main(capsys, "--config", _yaml(tmp_path, f"teacher: {{model: {tmp_path / 'teacher'}, train: false}}\n"), "--data-dir", str(splits), "--run-id", "r")
    assert code == 2 and len(err) == 1 and "vocabulary mismatch" in err[0], err
    assert not (splits / "models" / "r" / "student").exists()  # failed before training anything
