"""The whole pipeline end to end: `agentic-lab run` executes every stage notebook through papermill,
and the run's numbers trace back to items and source records."""
import json, re, subprocess, sys
from test_report_cli import Links
from pathlib import Path
import pytest

EXE = str(Path(sys.executable).parent / "agentic-lab")
ROOT = Path(__file__).resolve().parent.parent
STAGES = ["collect", "process", "train", "evaluate", "report"]
TINY = """
run: {seed: 1}
collect: {source_options: {bfcl: {per_category: 2}}, synthetic_n: 80}
process: {vocab_size: 600, max_length: 512}
train: {teacher_steps: 6, student_steps: 4, eval_items: 2, max_length: 256}
evaluate: {limit: 1, max_steps: 2, max_new_tokens: 16}
report: {n_boot: 100}
"""


def run(*args):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=1500, cwd=ROOT)


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    cfg = base / "tiny.yaml"
    cfg.write_text(TINY)
    r = run("run", "--config", str(cfg), "--run-id", "e2e", "--data-dir", str(base / "data"), "--reports-dir", str(base / "reports"))
    assert r.returncode == 0, r.stderr[-3000:]
    return base


@pytest.fixture(scope="module")
def two_run_report(pipeline_run):
    "A second run of the same pipeline (another seed, same data root), then `agentic-lab report` over both."
    base = pipeline_run
    cfg = base / "tiny-b.yaml"
    cfg.write_text(TINY.replace("run: {seed: 1}", "run: {seed: 2}"))
    r = run("run", "--config", str(cfg), "--run-id", "e2e-b", "--data-dir", str(base / "data"), "--reports-dir", str(base / "reports"))
    assert r.returncode == 0, r.stderr[-3000:]
    r = run("report", "--runs", "e2e,e2e-b", "--data-dir", str(base / "data"), "--out", str(base / "compare"), "--n-boot", "100")
    assert r.returncode == 0, r.stderr[-3000:]
    return Path(r.stdout.strip().splitlines()[-1])


def test_every_stage_ran_and_is_linked_from_the_index(pipeline_run):
    run_dir = pipeline_run / "reports" / "e2e"
    meta = json.loads((run_dir / "run.json").read_text())
    assert [s["stage"] for s in meta["stages"]] == STAGES
    assert all(s["status"] == "ok" for s in meta["stages"])
    index = (run_dir / "index.html").read_text()
    for s in meta["stages"]:
        assert f"href='{s['html']}'" in index and (run_dir / s["html"]).exists()
    assert "href='report.html'" in index and (run_dir / "report.html").exists()
    # config values reached the notebooks: the tiny profile's parameters are what ran
    assert meta["params"]["train"]["teacher_steps"] == 6 and meta["params"]["train"]["seed"] == 1


def test_every_output_folder_accounts_for_its_input(pipeline_run):
    data = pipeline_run / "data"
    manifests = list(data.glob("raw/*/manifest.json")) + list(data.glob("processed/e2e/manifest.json")) + list(data.glob("splits/e2e/*/manifest.json"))
    assert {p.parent.name for p in data.glob("raw/*/manifest.json")} >= {"bfcl", "examples", "synthetic"}
    for p in manifests:
        c = json.loads(p.read_text())["counts"]
        assert c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"], p


def test_the_report_opens_offline(pipeline_run):
    html = (pipeline_run / "reports" / "e2e" / "report.html").read_text()
    assert not re.findall(r"<script[^>]+src=[\"']https?://", html)
    assert not re.findall(r"<link[^>]+href=[\"']https?://", html)
    assert "plotly" in html.lower()


def test_evaluation_items_trace_to_the_summary(pipeline_run):
    eval_dir = pipeline_run / "data" / "eval" / "e2e"
    items = [json.loads(l) for l in (eval_dir / "items.jsonl").read_text().splitlines() if l.strip()]
    summary = json.loads((eval_dir / "summary.json").read_text())
    assert items and summary["overall"]["items"] == len(items)
    assert summary["overall"]["passed"] == sum(bool(i["passed"]) for i in items)
    for i in items:
        assert {"id", "suite", "category", "passed", "reason"} <= set(i)


def test_a_model_was_trained_and_saved(pipeline_run):
    models = pipeline_run / "data" / "models" / "e2e"
    for who in ("teacher", "student"):
        assert (models / who / "config.json").exists(), who
        assert list((models / who).glob("*.safetensors")), who


def test_report_over_two_real_runs_compares_them_and_its_links_resolve(two_run_report):
    html_path = two_run_report
    page = html_path.read_text()
    p = Links(); p.feed(page)
    assert p.external == []  # opens with no network: plotly.js inlined, no external scripts, fonts or styles
    assert "<h2>Comparison</h2>" in page and "e2e-b" in page
    internal = [h[1:] for h in p.hrefs if h.startswith("#")]
    assert internal and not [h for h in internal if h not in p.ids]  # every score links to items that exist
    files = [h for h in p.hrefs if not h.startswith(("#", "http://", "https://"))]
    assert all((html_path.parent / f).is_file() for f in files)
    # items carry their source records: a BFCL item names its source and source_id
    items = [json.loads(l) for l in (html_path.parents[2] / "data" / "eval" / "e2e" / "items.jsonl").read_text().splitlines() if l.strip()]
    bfcl = [i for i in items if i["suite"] == "bfcl"]
    assert bfcl and all(str(i["id"]) in page for i in bfcl[:3])
