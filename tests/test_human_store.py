"""The annotation store under concurrent writers (two processes) and bad input: no label is ever lost."""
import json, multiprocessing as mp
from pathlib import Path
import pytest
from agentic_lab.core import Message, Trajectory
from agentic_lab.human.store import HumanStore, HumanStoreError
from agentic_lab.human.panel import RubricError, load_rubric

N = 60


def _items(n=5):
    return [Trajectory(source="t", source_id=str(i), messages=[Message("user", f"task {i}"), Message("assistant", "done")]) for i in range(n)]


def _writer(path, who, start):
    start.wait()
    st = HumanStore(path, timeout=60)
    ids = [i["id"] for i in st.items()]
    for k in range(N):
        st.add_label(ids[k % len(ids)], who, {"task_success": k % 5 + 1}, comment=f"{who}-{k}")
        if k % 7 == 0: st.add_preference(ids[0], ids[1], "a", who)
    st.close()


def test_two_process_writers_lose_no_label(tmp_path):
    path = tmp_path / "ann.db"
    with HumanStore(path) as st: st.add_items(_items(), model="m1")
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(str(path), who, start)) for who in ("ann1", "ann2")]
    for p in procs: p.start()
    start.set()
    for p in procs: p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with HumanStore(path) as st:
        for who in ("ann1", "ann2"):
            got = st.labels(annotator=who, latest=False)
            assert sorted(l["comment"] for l in got) == sorted(f"{who}-{k}" for k in range(N))
        assert st.count("preferences") == 2 * len(range(0, N, 7))


def test_corrupt_store_is_one_line_error_and_untouched(tmp_path):
    path = tmp_path / "ann.db"
    with HumanStore(path) as st:
        st.add_items(_items(2)); st.add_label(st.items()[0]["id"], "a", {"task_success": 3})
    raw = bytearray(path.read_bytes())
    raw[200:1500] = b"\x00garbage\xff" * 130
    path.write_bytes(bytes(raw))
    before = path.read_bytes()
    with pytest.raises(HumanStoreError) as e:
        HumanStore(path)
    assert "\n" not in str(e.value) and str(path) in str(e.value)
    assert path.read_bytes() == before  # never recreated or "repaired"


def test_saved_labels_survive_a_crashed_writer(tmp_path):
    path = tmp_path / "ann.db"
    st = HumanStore(path); st.add_items(_items(2))
    st.add_label(st.items()[0]["id"], "a", {"task_success": 3})
    # a second connection starts a transaction and dies without committing
    other = HumanStore(path); other.db.execute("BEGIN IMMEDIATE")
    other.db.execute("INSERT INTO labels(item_id, annotator, ratings, flags, comment, guideline_version, created_at) VALUES ('x','b','{}','[]','','','')")
    other.db.close()
    with HumanStore(path) as again:
        assert [l["annotator"] for l in again.labels()] == ["a"]


def test_rubric_with_unknown_widget_is_one_line_error(tmp_path):
    p = tmp_path / "rubric.yaml"
    p.write_text("version: v\ndimensions:\n  - name: task_success\n    widget: stars\n")
    with pytest.raises(RubricError) as e:
        load_rubric(p)
    msg = str(e.value)
    assert "\n" not in msg and "unknown widget type 'stars'" in msg and "rubric.yaml" in msg


def test_export_jsonl_traces_labels_to_sources(tmp_path):
    with HumanStore(tmp_path / "a.db") as st:
        st.add_items(_items(3), model="m1")
        for it in st.items(): st.add_label(it["id"], "a", {"task_success": 4})
        out = st.export_jsonl(tmp_path / "labels.jsonl")
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    assert [(r["source"], r["source_id"], r["model"]) for r in rows] == [("t", str(i), "m1") for i in range(3)]
