"""Kill-and-resume: a collection SIGKILLed at random points, several times, and resumed each time, ends with exactly
the records (and quarantine, and counts) of an uninterrupted run — none lost, none duplicated."""
import json, os, random, signal, subprocess, sys, time
from pathlib import Path

from werkzeug import Response

from agentic_lab.store import read_manifest, read_trajectories, iter_jsonl

PAGES, PER_PAGE = 30, 10
RUN = ("import sys; from agentic_lab.collect.base import run_collect; "
       "run_collect('json-api', sys.argv[1], url=sys.argv[2], resume=True, shard_size=7, rate=20, format='openai', progress=False)")


def item(i):
    if i % 13 == 5: return {"id": f"bad{i}", "messages": [{"role": "wizard", "content": "?"}]}  # quarantined
    j = i - 5 if i % 17 == 3 else i  # a repeat of an earlier item: dropped as duplicate
    return {"id": f"it{j}", "messages": [{"role": "user", "content": f"question {j} from bob{j}@example.com"}, {"role": "assistant", "content": f"answer {j}"}]}


def api(req):
    page = int(req.args.get("page", 1))
    items = [item(i) for i in range((page - 1) * PER_PAGE, page * PER_PAGE)] if page <= PAGES else []
    return Response(json.dumps({"items": items}), content_type="application/json")


def run(out, url, kill_after=None):
    p = subprocess.Popen([sys.executable, "-c", RUN, str(out), url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
        return True
    try:
        p.wait(timeout=kill_after); return True  # finished before the kill
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL); p.wait(); return False


def canonical(out):
    "Records without their collection time, and the quarantine, as comparable sets."
    recs = []
    for t in read_trajectories(out):
        d = t.to_dict(); d.pop("collected_at"); recs.append(json.dumps(d, sort_keys=True))
    q = [json.dumps(x, sort_keys=True) for x in iter_jsonl(out / "quarantine.jsonl")] if (out / "quarantine.jsonl").exists() else []
    return recs, q


def test_sigkill_at_random_points_then_resume(httpserver, tmp_path):
    httpserver.expect_request("/items").respond_with_handler(api)
    url = httpserver.url_for("/items")
    ref = tmp_path / "ref"
    run(ref, url)
    ref_recs, ref_q = canonical(ref)

    out, rng, total = tmp_path / "killed", random.Random(4), read_manifest(ref)["counts"]["kept"]
    kept = lambda: read_manifest(out)["counts"]["kept"] if (out / "manifest.json").exists() else 0
    mid_run, extra = 0, 0.0
    for _ in range(12):  # kill at random points until three kills have landed between commits of a running collection
        before = kept()
        if run(out, url, kill_after=rng.uniform(0.5, 1.5) + extra): break
        after = kept()
        mid_run += 0 < after < total
        extra = 0.0 if after > before else extra + 0.5  # killed during start-up: wait longer next time
        if mid_run >= 3: break
    run(out, url)  # resume to the end
    assert mid_run >= 2, f"only {mid_run} kills landed mid-run"

    recs, q = canonical(out)
    assert len(recs) == len(set(recs)) and sorted(recs) == sorted(ref_recs)  # nothing lost, nothing duplicated
    assert sorted(q) == sorted(ref_q)
    ids = [json.loads(r)["id"] for r in recs]
    assert len(ids) == len(set(ids))
    m, mref = read_manifest(out), read_manifest(ref)
    c = m["counts"]
    assert c == mref["counts"] and c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"]
    assert c["quarantined"] > 0 and c["dropped"].get("duplicate", 0) > 0
    assert m["items_seen"] == PAGES * PER_PAGE and m["complete"]
    assert m["redactions"] == mref["redactions"] and "bob" not in "".join(recs)


HF_RUN = ("import sys; from agentic_lab.collect.base import run_collect; import agentic_lab.collect.hf; "
          "run_collect('hf', sys.argv[1], dataset=sys.argv[2], adapter='openai', resume=True, shard_size=40, progress=False)")


def test_sigkill_dataset_source_then_resume(tmp_path):
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(item(i)) + "\n" for i in range(2000)))
    out, rng = tmp_path / "killed", random.Random(7)
    kept = lambda d: read_manifest(d)["counts"]["kept"] if (d / "manifest.json").exists() else 0

    def go(out, kill=False):
        "Run the collection; with `kill`, SIGKILL it a random moment after its next commit (False if killed)."
        p = subprocess.Popen([sys.executable, "-c", HF_RUN, str(out), str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if kill:  # progress-driven, not time-driven: start-up time (importing datasets) varies with machine load
            start = kept(out)
            while p.poll() is None and kept(out) <= start: time.sleep(0.005)
            if p.poll() is None:
                time.sleep(rng.uniform(0, 0.05)); os.kill(p.pid, signal.SIGKILL); p.wait(); return False
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
        return True

    ref = tmp_path / "ref"; go(ref)
    total, mid_run = kept(ref), 0
    for _ in range(5):
        if go(out, kill=True): break
        mid_run += 0 < kept(out) < total
        if mid_run >= 2: break
    go(out)
    assert mid_run >= 1
    recs, q = canonical(out)
    ref_recs, ref_q = canonical(ref)
    assert len(recs) == len(set(recs)) and sorted(recs) == sorted(ref_recs) and sorted(q) == sorted(ref_q)
    assert read_manifest(out)["counts"] == read_manifest(ref)["counts"]
