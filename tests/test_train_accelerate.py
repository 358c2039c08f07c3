"Two-process CPU data-parallel SAD training with `accelerate launch` (gloo), checkpointing included."
import json, os, shutil, subprocess, sys, textwrap
from pathlib import Path

SCRIPT = textwrap.dedent('''
    import json, sys
    import numpy as np, torch
    from agentic_lab.train.models import build_model
    from agentic_lab.train.trainer import SADConfig, SADTrainer, SADCollator, pack_examples
    out = sys.argv[1]
    V, g = 40, np.random.default_rng(0)
    rows = []
    for _ in range(32):
        n = int(g.integers(6, 20)); ids = g.integers(3, V, n).tolist()
        rows.append(dict(input_ids=ids, labels=[-100] * 3 + ids[3:], segment_ids=[2] * 3 + [3] * (n - 6) + [4] * 3))
    args = SADConfig(output_dir=out, method="sad", max_steps=4, per_device_train_batch_size=2, learning_rate=3e-3, logging_steps=1,
                     save_steps=2, save_strategy="steps", report_to="none", use_cpu=True, disable_tqdm=True, seed=0, ddp_backend="gloo")
    tr = SADTrainer(model=build_model("tiny-student", V, seed=2), args=args, teacher=build_model("tiny-teacher", V, seed=1),
                    train_dataset=pack_examples(rows, 32), data_collator=SADCollator(0))
    res = tr.train()
    if tr.is_world_process_zero():
        json.dump({"backend": torch.distributed.get_backend(), "world_size": args.world_size, "steps": res.global_step, "loss": res.training_loss}, open(out + "/done.json", "w"))
''')

def test_two_process_cpu_training_checkpoints(tmp_path):
    script = tmp_path / "ddp_script.py"; script.write_text(SCRIPT)
    # `--multi_gpu` only picks accelerate's torchrun launcher; with `use_cpu=True` each process joins a MULTI_CPU group over gloo
    launcher = Path(sys.executable).with_name("accelerate")
    cmd = [str(launcher) if launcher.exists() else shutil.which("accelerate"), "launch", "--num_processes", "2", "--num_machines", "1", "--multi_gpu",
           "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "29517", str(script), str(tmp_path / "out")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env={**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"})
    assert r.returncode == 0, r.stderr[-3000:]
    done = json.loads((tmp_path / "out" / "done.json").read_text())
    assert done["world_size"] == 2 and done["steps"] == 4 and done["backend"] == "gloo"
    for ck in ("checkpoint-2", "checkpoint-4"):
        assert (tmp_path / "out" / ck / "model.safetensors").exists()
        assert len(list((tmp_path / "out" / ck).glob("rng_state_*.pth"))) == 2  # one RNG state per process
