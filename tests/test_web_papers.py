"""arXiv source against a loopback stand-in: Atom paging, politeness delay, PDFs generated here with reportlab, incremental runs, broken feeds/PDFs, redaction, kill-and-resume."""
import io, json, sys, time
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).parent/"fixtures"/"web"))
from fakeserver import FakeServer  # noqa: E402
from agentic_lab.collect.base import run_collect  # noqa: E402
from agentic_lab.collect.papers import read_methods  # noqa: E402
from agentic_lab.store import read_trajectories, iter_jsonl  # noqa: E402

FAST = dict(rate=500, backoff=0.01, retries=3, timeout=5, progress=False, delay=0.05, page_size=2)
TOKEN = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def make_pdf(lines):
    buf = io.BytesIO(); c = canvas.Canvas(buf); y = 800
    for line in lines:
        if y < 60: c.showPage(); y = 800
        c.drawString(50, y, line); y -= 14
    c.save(); return buf.getvalue()


def paper_lines(i):
    lines = [f"Paper {i}", "Abstract", "We study tool-using agents.", "1 Introduction", "Agents are popular.", f"Our token is {TOKEN} (oops).",
             "3 Approach: ReAct agents with tools", "We give the model examples such as:"]
    if i % 2:
        lines += [f"Question: what is {i} squared?", "Thought: I should use the calculator.", "Action: calculator",
                  'Action Input: {"expression": "%d**2"}' % i, f"Observation: {i*i}", f"Final Answer: {i*i}", "Figure 1: a ReAct trace."]
        lines += ["More discussion of results follows here."] * 5
        lines += ["A second example uses tags:", "<tool_call>", '{"name": "web_search", "arguments": {"query": "paper %d"}}' % i, "</tool_call>",
                  "Table 2: results."]
    if i == 2:
        lines += ["Our prompt format is:", "Thought: you should always think about what to do", "Action: the action to take, should be one of [{tool_names}]",
                  "Action Input: the input to the action", "Observation: the result of the action", "Figure 3: the prompt."]
    return lines + ["4 Experiments", "Results are good."]


class Arxiv:
    def __init__(self, n=5):
        self.papers = [self.paper(i) for i in range(1, n + 1)]
        self.pdfs = {p["id"]: make_pdf(paper_lines(i)) for i, p in enumerate(self.papers, 1)}

    def paper(self, i, day=None):
        return {"id": f"2401.{i:05d}", "updated": f"2024-01-{day or i:02d}T10:00:00Z", "title": f"Paper {i}", "summary": f"Abstract of paper {i}."}

    def feed(self, entries, total):
        es = "".join(f"""<entry><id>http://arxiv.org/abs/{p['id']}v1</id><updated>{p['updated']}</updated><title>{p['title']}</title><summary>{p['summary']}</summary>
<link href="http://arxiv.org/abs/{p['id']}v1" rel="alternate" type="text/html"/><link title="pdf" href="{self.url}/pdf/{p['id']}v1" rel="related" type="application/pdf"/></entry>"""
                     for p in entries)
        return f"""<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
<title>arXiv Query</title><opensearch:totalResults>{total}</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex>{es}</feed>"""

    def __call__(self, req):
        if req.path.startswith("/pdf/"):
            return 200, {"Content-Type": "application/pdf"}, self.pdfs[req.path.split("/")[-1][:-2]]
        q, start, n = req.query["search_query"], int(req.query["start"]), int(req.query["max_results"])
        rows = sorted(self.papers, key=lambda p: p["updated"])
        if "lastUpdatedDate:[" in q:
            since = q.split("lastUpdatedDate:[")[1].split(" ")[0]
            rows = [p for p in rows if p["updated"].replace("-", "").replace("T", "").replace(":", "")[:12] >= since]
        return 200, {"Content-Type": "application/atom+xml"}, self.feed(rows[start:start + n], len(rows))


@pytest.fixture
def ax():
    app = Arxiv(); srv = FakeServer(app); app.url = srv.url
    yield app, srv
    srv.close()


def collect(srv, out, **kw): return run_collect("arxiv", out, query='abs:"ReAct"', base_url=srv.url, **{**FAST, **kw})
def ids(out): return sorted(t.source_id for t in read_trajectories(out))


EXPECTED = sorted(f"2401.{i:05d}#b{b}" for i in (1, 3, 5) for b in (0, 1))


def test_pages_to_the_end_extracts_traces_and_methods(ax, tmp_path):
    app, srv = ax
    m = collect(srv, tmp_path)
    assert ids(tmp_path) == EXPECTED
    assert [int(r.query["start"]) for r in srv.requests("/api/query")] == [0, 2, 4]
    t = next(t for t in read_trajectories(tmp_path) if t.source_id == "2401.00003#b0")
    assert t.task == "what is 3 squared?" and t.tool_calls[0].arguments == {"expression": "3**2"} and t.source_url == "http://arxiv.org/abs/2401.00003v1"
    h = next(t for t in read_trajectories(tmp_path) if t.source_id == "2401.00003#b1")
    assert h.tool_calls[0].name == "web_search" and h.meta["extractor"] == "hermes"
    rows = read_methods(tmp_path/"methods.jsonl")
    assert len(rows) == 5 and all(r["method"]["heading"] == "3 Approach: ReAct agents with tools" for r in rows)
    assert m["counts"]["dropped"] == {"no_agentic_pattern": 1, "template": 1} and m["cursor"]["done"]
    assert [len(r["prompt_templates"]) for r in sorted(rows, key=lambda r: r["id"])] == [0, 1, 0, 0, 0]


def test_politeness_delay_between_calls(ax, tmp_path):
    app, srv = ax
    collect(srv, tmp_path, delay=0.05)
    ts = [r.t for r in srv.log]
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    assert len(gaps) >= 7 and min(gaps) / 0.05 >= 0.9  # every call (feed or PDF) at least `delay` after the previous one


def test_planted_token_never_reaches_disk(ax, tmp_path):
    collect(ax[1], tmp_path)
    for p in tmp_path.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".jsonl", ".log"): assert "hf_AbCd" not in p.read_text(), p


def test_incremental_rerun_asks_only_for_updates(ax, tmp_path):
    app, srv = ax
    collect(srv, tmp_path)
    n = len(srv.log)
    app.papers.append(app.paper(7, day=20)); app.pdfs["2401.00007"] = make_pdf(paper_lines(7))
    m = collect(srv, tmp_path, resume=True)
    assert ids(tmp_path) == sorted(EXPECTED + ["2401.00007#b0", "2401.00007#b1"])
    new = srv.log[n:]
    assert "lastUpdatedDate:[202401051001 TO" in new[0].query["search_query"] and [r.path for r in new] == ["/api/query", "/pdf/2401.00007v1"]
    assert "duplicate" not in m["counts"]["dropped"]


@pytest.mark.parametrize("where,fault,reason", [
    ("/pdf/2401.00003", (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n1 0 obj <</Type /Catalog"), "unreadable PDF"),
    ("/pdf/2401.00003", (200, {"Content-Type": "text/html"}, "<html><body>Access denied</body></html>"), "not a PDF"),
    ("/pdf/2401.00003", (404, {"Content-Type": "text/html"}, "<html><body>Not found</body></html>"), "PDF download failed (GET "),
    ("start=2", (200, {"Content-Type": "application/atom+xml"}, "<feed><entry><title>broken</feed"), "malformed Atom")])
def test_bad_responses_are_quarantined_and_the_run_goes_on(ax, tmp_path, where, fault, reason):
    app, srv = ax
    srv.faults[where] = [fault]
    m = collect(srv, tmp_path)
    q = list(iter_jsonl(tmp_path/"quarantine.jsonl"))
    assert m["counts"]["quarantined"] == 1 and reason in q[0]["reason"]
    if "pdf" in where: assert ids(tmp_path) == [i for i in EXPECTED if not i.startswith("2401.00003")]
    else: assert ids(tmp_path) == [i for i in EXPECTED if i.startswith("2401.00001")]  # the rest of that query is unreachable


def test_retry_after_and_resets_are_retried(ax, tmp_path):
    app, srv = ax
    srv.faults["/api/query"] = [(503, {"Retry-After": "1"}, "busy"), "reset"]
    t0 = time.monotonic(); collect(srv, tmp_path)
    assert ids(tmp_path) == EXPECTED and time.monotonic() - t0 >= 0.9


def test_kill_and_resume(ax, tmp_path):
    app, srv = ax
    for stop in (1, 3):
        out = tmp_path/str(stop)
        collect(srv, out, limit=stop); collect(srv, out, resume=True)
        got = [t.source_id for t in read_trajectories(out)]
        assert sorted(got) == EXPECTED and len(got) == len(set(got)), stop
        assert len(read_methods(out/"methods.jsonl")) == 5
