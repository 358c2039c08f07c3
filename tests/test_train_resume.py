"Kill a training run at a random step, resume it, and check the loss curve matches an uninterrupted run."
import json, os, random, subprocess, sys, textwrap
from pathlib import Path

SCRIPT = textwrap.dedent('''
    import json, os, signal, sys
    import numpy as np, torch
    from transformers import TrainerCallback
    from transformers.trainer_utils import get_last_checkpoint
    from agentic_lab.train.models import build_model
    from agentic_lab.train.trainer import SADConfig, SADTrainer, SADCollator, pack_examples
    from agentic_lab.train.callbacks import JsonlMetricsCallback
    out, kill_at, method = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    V, g = 40, np.random.default_rng(0)
    rows = []
    for _ in range(48):
        n = int(g.integers(6, 20)); ids = g.integers(3, V, n).tolist()
        rows.append(dict(input_ids=ids, labels=[-100] * 3 + ids[3:], segment_ids=[2] * 3 + [3] * (n - 6) + [4] * 3))
    items = pack_examples(rows, 32)
    class Kill(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == kill_at: os.kill(os.getpid(), signal.SIGKILL)
    args = SADConfig(output_dir=out + "/ckpt", method=method, max_steps=10, per_device_train_batch_size=4, learning_rate=3e-3, logging_steps=1,
                     save_steps=2, save_strategy="steps", report_to="none", use_cpu=True, disable_tqdm=True, seed=0, data_seed=0, warmup_steps=2)
    teacher = build_model("tiny-teacher", V, seed=1) if method != "sft" else None
    tr = SADTrainer(model=build_model("tiny-student", V, seed=2), args=args, teacher=teacher, train_dataset=items, data_collator=SADCollator(0),
                    callbacks=[JsonlMetricsCallback(out + "/metrics.jsonl"), Kill()])
    last = get_last_checkpoint(out + "/ckpt") if os.path.isdir(out + "/ckpt") else None
    tr.train(resume_from_checkpoint=last)
''')

def _run(tmp: Path, out: str, kill_at: int, method: str):
    script = tmp / "train_script.py"; script.write_text(SCRIPT)
    return subprocess.run([sys.executable, str(script), str(tmp / out), str(kill_at), method], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"})

def _losses(path: Path) -> dict:
    rows = [json.loads(l) for l in path.read_text().splitlines()]
    return {r["step"]: r["loss"] for r in rows if "loss" in r}  # a re-logged step after resume overwrites the killed run's

def test_kill_and_resume_matches_uninterrupted(tmp_path):
    kill_at = random.Random().randint(3, 9)
    full = _run(tmp_path, "full", -1, "sad"); assert full.returncode == 0, full.stderr[-2000:]
    first = _run(tmp_path, "killed", kill_at, "sad"); assert first.returncode != 0  # SIGKILLed mid-run
    assert (tmp_path / "killed" / "ckpt").exists()
    again = _run(tmp_path, "killed", -1, "sad"); assert again.returncode == 0, again.stderr[-2000:]
    a, b = _losses(tmp_path / "full" / "metrics.jsonl"), _losses(tmp_path / "killed" / "metrics.jsonl")
    assert sorted(a) == sorted(b) == list(range(1, 11))
    for s in a: assert abs(a[s] - b[s]) < 1e-4 * max(1, abs(a[s])), (kill_at, s, a[s], b[s])
    ck = tmp_path / "killed" / "ckpt" / "checkpoint-10"
    for f in ("model.safetensors", "optimizer.pt", "scheduler.pt", "trainer_state.json"): assert (ck / f).exists(), f
    assert list(ck.glob("rng_state*.pth"))
