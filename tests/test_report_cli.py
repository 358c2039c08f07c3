"""`agentic-lab report` on two runs: one offline HTML with the comparison, whose item links resolve; bad input is a one-line error."""
import re, shutil, subprocess, sys, time
from html.parser import HTMLParser
from pathlib import Path
import pytest
from agentic_lab.report_data import fake_run
from agentic_lab.human.store import HumanStore

EXE = str(Path(sys.executable).parent / "agentic-lab")


def cli(*args, **kw):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, **kw)


class Links(HTMLParser):
    "Collect element ids, hrefs and every external resource reference."
    def __init__(self):
        super().__init__(); self.ids, self.hrefs, self.external = set(), [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids.add(a["id"])
        if tag == "a" and a.get("href"): self.hrefs.append(a["href"])
        for k in ("src", "data-src"):
            if a.get(k): self.external.append(f"{tag}[{k}]={a[k]}")
        if tag == "link" and a.get("href"): self.external.append(f"link={a['href']}")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    data = root / "data"
    fake_run(data, "runA", seed=0); fake_run(data, "runB", seed=5, with_training=False)
    # one human label on a runA item, to exercise the human section
    st = HumanStore(data / "human" / "annotations.db"); st.import_eval(data / "eval" / "runA", limit=4)
    for it in st.items():
        st.add_label(it["id"], "ann1", {"task_success": 4, "safety": 5}, [{"span": 1, "kind": "ACT", "flag": "hallucinated"}])
        st.add_label(it["id"], "ann2", {"task_success": 3, "safety": 5})
    st.import_eval(data / "eval" / "runB", limit=4)
    for k, (a, b) in enumerate(st.pairs()): st.add_preference(a, b, "ab"[k % 2] if k < 3 else "tie", "ann1")
    st.close()
    t0 = time.time()
    r = cli("report", "--runs", "runA,runB", "--data-dir", str(data), "--out", str(root / "reports"), "--n-boot", "200")
    assert r.returncode == 0, r.stderr
    return root, Path(r.stdout.strip().splitlines()[-1]), time.time() - t0


def test_report_is_offline_and_shows_comparison(two_runs):
    root, html_path, seconds = two_runs
    assert html_path == root / "reports" / "runA" / "report.html"
    page = html_path.read_text()
    p = Links(); p.feed(page)
    assert p.external == []  # no <script src>, <img src>, <link href>: plotly.js is inlined
    assert not re.search(r"@import|@font-face|fonts\.googleapis|cdn\.plot\.ly/plotly", page)
    assert page.count("Plotly.newPlot") >= 4
    assert "accuracy vs baseline runA" in page and "<h2>Comparison</h2>" in page
    assert "mean human rating (8 labels, 2 annotators)" in page
    assert "Bradley–Terry scores (Elo scale) from 4 blind pairwise judgements" in page
    assert "spans people flagged" in page and "bfcl: failures by error type" in page
    assert seconds < 60


def test_item_and_table_links_resolve(two_runs):
    root, html_path, _ = two_runs
    p = Links(); p.feed(html_path.read_text())
    internal = [h[1:] for h in p.hrefs if h.startswith("#")]
    assert internal and not [h for h in internal if h not in p.ids]
    files = [h for h in p.hrefs if not h.startswith(("#", "http://", "https://"))]
    assert files and all((html_path.parent / f).is_file() for f in files)  # CSV / Markdown exports
    # every item row links to its source records, and they carry source_url
    page = html_path.read_text()
    assert "https://example.org/bfcl/0" in page
    item_ids = [i for i in p.ids if i.startswith("item-runA") and "-bfcl-" in i]
    assert len(item_ids) == 12


def test_report_opens_without_network_in_chromium(two_runs):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    root, html_path, _ = two_runs
    opts = webdriver.ChromeOptions(); opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={root / 'chrome'}"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)
    try:
        d.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        d.get(html_path.as_uri())
        t0 = time.time()
        while time.time() - t0 < 30 and not d.execute_script("return document.querySelectorAll('.js-plotly-plot .main-svg').length"): time.sleep(0.3)
        assert d.execute_script("return typeof Plotly") == "object"
        assert d.execute_script("return document.querySelectorAll('.js-plotly-plot .main-svg').length") >= 4
        d.save_screenshot(str(root / "report.png"))
    finally:
        d.quit()


def test_run_without_evaluation_results_is_one_line_error(tmp_path):
    (tmp_path / "data" / "eval" / "empty").mkdir(parents=True)
    r = cli("report", "--runs", "empty", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "reports"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no evaluation results" in lines[0]
    assert not (tmp_path / "reports" / "empty").exists()


def test_no_runs_is_one_line_error(tmp_path):
    r = cli("report", "--data-dir", str(tmp_path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_corrupt_items_file_is_one_line_error(tmp_path):
    data = tmp_path / "data"
    fake_run(data, "bad")
    with open(data / "eval" / "bad" / "items.jsonl", "a") as f: f.write("{not json\n")
    r = cli("report", "--runs", "bad", "--data-dir", str(data), "--out", str(tmp_path / "reports"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "items.jsonl:49: not JSON" in lines[0]


def test_corrupt_annotation_store_is_reported_and_left_untouched(tmp_path):
    data = tmp_path / "data"
    fake_run(data, "r")
    db = data / "human" / "annotations.db"; db.parent.mkdir(parents=True)
    db.write_bytes(b"definitely not sqlite")
    r = cli("report", "--runs", "r", "--data-dir", str(data), "--out", str(tmp_path / "reports"), "--n-boot", "50")
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "reports" / "r" / "report.html").read_text()
    assert "human annotations unreadable" in page and "not an annotation store" in page
    assert db.read_bytes() == b"definitely not sqlite"


def test_malformed_config_yaml_is_one_line_error(tmp_path):
    bad = tmp_path / "report.yaml"; bad.write_text("report: {runs: [a, b\n  out: x\n")
    r = cli("report", "--config", str(bad), "--data-dir", str(tmp_path))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "report.yaml: not a readable YAML file" in lines[0], r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
