"The `process` stage end to end: CLI, quarantine of malformed records anywhere, counts that add up, zero split leakage."
import json, subprocess, sys
from pathlib import Path
import pytest
from agentic_lab.store import ShardWriter, read_manifest, read_trajectories
from agentic_lab.process.run import run_process

@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    from agentic_lab.synth.worlds import get_world, world_names
    from agentic_lab.synth.tasks import generate_tasks
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    root = tmp_path_factory.mktemp("data")
    trajs = [run_episode(OraclePolicy(t), get_world(w, t.world_seed), t) for w in world_names() for t in generate_tasks(w, 12, seed=3)]
    with ShardWriter(root/"raw/synthetic", shard_size=20) as w:
        for t in trajs: w.write(t)
    # a second source: copies of some records (cross-source duplicates) and malformed lines of every kind
    bad = ["{not json", json.dumps([1, 2]), json.dumps({"source": "x", "source_id": "1", "messages": []}),
           json.dumps({"source": "x", "source_id": "2", "messages": [{"role": "robot", "content": "hi"}]}),
           json.dumps({"source": "x", "source_id": "3", "messages": [{"role": "user", "content": "hi"}], "segments": [{"kind": "ACT", "message": 5, "start": 0, "end": 1}]})]
    copies = [json.dumps({**t.to_dict(), "source": "hf:copies", "id": ""}) for t in trajs[:10]]
    (root/"raw/hf_copies").mkdir(parents=True)
    not_utf8 = copies[0].replace('"source": "hf:copies"', '"source": "hf:caf\u00e9"').encode().replace("caf\u00e9".encode(), b"caf\xe9")
    (root/"raw/hf_copies/part.jsonl").write_bytes(("\n".join(copies[:5] + bad + copies[5:]) + "\n").encode() + not_utf8 + b"\n")
    return root, len(trajs)

def test_run_counts_quarantine_and_leakage(raw):
    root, n = raw
    m = run_process(root/"raw", root/"processed/t1", root/"splits/t1", {"vocab_size": 400, "max_length": 768})
    c = m["counts"]
    assert c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"]
    assert m["steps"]["read"] + sum(m["steps"]["augment"]["added"].values()) + c["quarantined"] - m["steps"]["filter"].get("errors", 0) >= c["in"] - 1
    assert c["quarantined"] >= 4  # not JSON, not an object, empty messages, unknown role (the bad segment is re-checked by validation)
    q = [json.loads(l) for l in (root/"processed/t1/quarantine.jsonl").read_text().splitlines()]
    assert all(x["reason"] for x in q) and any("not_json" in x["reason"] for x in q)
    assert any(x["reason"].startswith("not_utf8: hf_copies/part.jsonl:") for x in q)  # invalid UTF-8 is quarantined, never repaired
    assert c["dropped"].get("exact_duplicate", 0) + c["dropped"].get("near_duplicate", 0) >= 10
    assert m["splits"]["leakage"]["leaks"] == 0
    tk = m["splits"]["tokenize"]  # every trajectory the tokenizer loses is counted by reason
    assert tk["in"] == tk["kept"] + sum(tk["dropped"].values()) == c["kept"] and tk["in"] == sum(v["counts"]["in"] for v in m["splits"]["tokens"].values())
    s = read_manifest(root/"splits/t1")
    assert sum(s["sizes"].values()) == c["kept"]
    fams = {}
    for split in ("train", "validation", "test"):
        for t in read_trajectories(root/"splits/t1"/split):
            assert "quality" in t.meta and t.meta["split"] == split
            fams.setdefault(t.meta.get("augmented_from") or t.id, set()).add(split)
            fams.setdefault(f"tmpl:{t.meta.get('template')}", set()).add(split)
    assert all(len(v) == 1 for v in fams.values()), {k: v for k, v in fams.items() if len(v) > 1}  # no family and no template spans two splits
    assert (root/"splits/t1/tokenizer/tokenizer.json").exists()
    from agentic_lab.process.dataset import AgenticDataset, AgenticCollator
    ds = AgenticDataset.from_splits(root/"splits/t1", "train")
    b = AgenticCollator(0, packing=True, max_length=768)([ds[i] for i in range(min(8, len(ds)))])
    assert set(b) >= {"input_ids", "labels", "segment_ids", "position_ids"}

def test_cli(raw, tmp_path):
    root, _ = raw
    cfg = tmp_path/"c.yaml"; cfg.write_text("process:\n  vocab_size: 300\n  max_length: 512\n  augment: {enabled: false}\n")
    r = subprocess.run(["agentic-lab", "process", "--in", f"{root}/raw/synthetic,{root}/raw/hf_copies", "--out", str(tmp_path/"processed/c1"), "--config", str(cfg)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["leaks"] == 0 and (tmp_path/"splits/c1/train/manifest.json").exists()
    r = subprocess.run(["agentic-lab", "process", "--in", str(tmp_path/"nope"), "--out", str(tmp_path/"o")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad = tmp_path/"bad.yaml"; bad.write_text("process:\n  dedupe: {}\n")
    r = subprocess.run(["agentic-lab", "process", "--in", f"{root}/raw", "--out", str(tmp_path/"o"), "--config", str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "unknown key" in r.stderr
    r = subprocess.run(["agentic-lab", "process", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--in" in r.stdout
