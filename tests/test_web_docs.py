"""Docs-site crawler against a loopback site: robots.txt rules and Crawl-delay obeyed (the server counts requests), sitemap indexes, domain scope, main-content extraction, faults, incremental re-crawls, kill-and-resume."""
import hashlib, sys, time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent/"fixtures"/"web"))
from fakeserver import FakeServer  # noqa: E402
from agentic_lab.collect.base import run_collect  # noqa: E402
import agentic_lab.collect.web  # noqa: E402,F401  (registers "web")
from agentic_lab.store import read_trajectories, iter_jsonl  # noqa: E402

FAST = dict(rate=500, backoff=0.01, retries=3, timeout=5, progress=False, delay=0.01)
TOKEN = "sk-" + "LiveKey0123456789abcdefghijklmnop"
TRACE = """<pre><code>Thought: I need the forecast
Action: get_forecast
Action Input: {&quot;city&quot;: &quot;%s&quot;}
Observation: rain
Final Answer: take an umbrella</code></pre>"""


def html(title, body, links=()):
    nav = "".join(f'<a href="{l}">{l}</a> ' for l in links)
    return (f"<html><head><title>{title}</title></head><body><nav>{nav}</nav><main><h1>{title}</h1>"
            f"<p>This documentation page explains how agents in our framework use tools, step by step, with a worked example.</p>{body}"
            f"<p>After the observation, the agent continues reasoning until it can answer the user.</p></main><footer>(c) docs</footer></body></html>")


class Site:
    def __init__(self, crawl_delay="0.1"):
        self.robots = f"User-agent: *\nDisallow: /private/\nCrawl-delay: {crawl_delay}\n\nUser-agent: BadBot\nDisallow: /\n"
        self.pages = {
            "/docs/": html("Index", "<p>Start here.</p>", ["/docs/a", "/docs/b", "https://elsewhere.example.org/x", "/private/admin", "/docs/file.pdf"]),
            "/docs/a": html("A", TRACE % "Oslo", ["/docs/c", "/docs/"]),
            "/docs/b": html("B", f"<p>Set OPENAI_API_KEY={TOKEN} first.</p>" + TRACE % "Lima"),
            "/docs/c": html("C", "<p>No tools here.</p>"),
            "/private/admin": html("Admin", TRACE % "Secret"),
        }

    def __call__(self, req):
        if req.path == "/robots.txt": return 200, {"Content-Type": "text/plain"}, self.robots
        if req.path == "/sitemap.xml":
            return 200, {"Content-Type": "application/xml"}, f"<sitemapindex><sitemap><loc>{self.url}/sitemap-docs.xml</loc></sitemap></sitemapindex>"
        if req.path == "/sitemap-docs.xml":
            return 200, {"Content-Type": "application/xml"}, f"<urlset><url><loc>{self.url}/docs/</loc></url><url><loc>{self.url}/private/admin</loc></url></urlset>"
        if req.path == "/docs/file.pdf": return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"
        if req.path in self.pages:
            body = self.pages[req.path]; etag = '"' + hashlib.md5(body.encode()).hexdigest() + '"'
            if req.headers.get("if-none-match") == etag: return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag, "Cache-Control": "no-cache"}, body
        return 404, {"Content-Type": "text/html"}, "<html>Not found</html>"


@pytest.fixture
def site():
    app = Site(); srv = FakeServer(app); app.url = srv.url
    yield app, srv
    srv.close()


def crawl(srv, out, **kw): return run_collect("web", out, base_url=srv.url, **{**FAST, **kw})
def ids(out): return sorted(t.source_id for t in read_trajectories(out))


def test_crawl_obeys_robots_and_scope(site, tmp_path):
    app, srv = site
    m = crawl(srv, tmp_path)
    assert ids(tmp_path) == sorted([f"{srv.url}/docs/a#b1", f"{srv.url}/docs/b#b1"])
    paths = [r.path for r in srv.log]
    assert "/private/admin" not in paths  # disallowed: never requested
    assert paths.count("/robots.txt") == 1 and paths.count("/docs/a") == 1
    assert all(r.path.startswith(("/docs", "/robots", "/sitemap")) for r in srv.log)  # elsewhere.example.org never followed
    d = m["counts"]["dropped"]
    assert d["robots_disallowed"] == 1 and d["not_html"] == 1 and d["no_agentic_pattern"] == 2
    t = next(t for t in read_trajectories(tmp_path) if t.source_id.endswith("/docs/a#b1"))
    assert t.source == "web" and t.meta["title"] == "A" and t.tool_calls[0].arguments == {"city": "Oslo"}


def test_crawl_delay_is_obeyed(site, tmp_path):
    app, srv = site
    crawl(srv, tmp_path, delay=0.01)  # robots.txt asks for 0.1 s, more than our own delay
    pages = [r for r in srv.log if r.path.startswith("/docs") or r.path.startswith("/sitemap")]
    gaps = [b.t - a.t for a, b in zip(pages, pages[1:])]
    assert len(gaps) >= 5 and min(gaps) / 0.1 >= 0.9


def test_own_delay_when_larger(site, tmp_path):
    app, srv = site
    app.robots = "User-agent: *\nDisallow: /private/\n"
    crawl(srv, tmp_path, delay=0.08)
    pages = [r for r in srv.log if r.path != "/robots.txt"]
    assert min(b.t - a.t for a, b in zip(pages, pages[1:])) / 0.08 >= 0.9


def test_redaction_of_scraped_pages(site, tmp_path):
    crawl(site[1], tmp_path)
    for p in tmp_path.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".jsonl", ".log"): assert "LiveKey0123" not in p.read_text(), p


def test_faults_retried_and_dead_pages_quarantined(site, tmp_path):
    app, srv = site
    srv.faults["/docs/a"] = [(503, {"Retry-After": "1"}, "busy"), "reset"]
    srv.faults["/docs/c"] = [(500, {}, "boom")] * 4
    m = crawl(srv, tmp_path)
    assert ids(tmp_path) == sorted([f"{srv.url}/docs/a#b1", f"{srv.url}/docs/b#b1"])
    q = list(iter_jsonl(tmp_path/"quarantine.jsonl"))
    assert m["counts"]["quarantined"] == 1 and "/docs/c" in q[0]["reason"] and "500" in q[0]["reason"]


def test_incremental_recrawl_keeps_only_changes(site, tmp_path):
    app, srv = site
    crawl(srv, tmp_path)
    n = len(srv.log)
    app.pages["/docs/c"] = html("C", "<p>Now with an example.</p>" + TRACE % "Quito")
    m = crawl(srv, tmp_path, resume=True)
    assert ids(tmp_path) == sorted([f"{srv.url}/docs/{p}#b1" for p in "abc"])
    d = m["counts"]["dropped"]
    assert d["unchanged"] == 3 and "duplicate" not in d
    assert any(r.headers.get("if-none-match") for r in srv.log[n:])  # conditional requests on the re-crawl


def test_max_pages_and_kill_resume(site, tmp_path):
    app, srv = site
    m = crawl(srv, tmp_path/"cap", max_pages=2)
    assert m["counts"]["kept"] == 1  # /docs/ then /docs/a
    for stop in (1, 3, 5):
        out = tmp_path/str(stop)
        crawl(srv, out, limit=stop); crawl(srv, out, resume=True)
        got = [t.source_id for t in read_trajectories(out)]
        assert sorted(got) == sorted([f"{srv.url}/docs/a#b1", f"{srv.url}/docs/b#b1"]) and len(got) == len(set(got)), stop


def test_sitemap_named_in_robots(site, tmp_path):
    app, srv = site
    app.robots += f"\nSitemap: {srv.url}/custom-map.xml\n"
    orig = Site.__call__
    srv.app = lambda req: (200, {"Content-Type": "application/xml"}, f"<urlset><url><loc>{srv.url}/docs/b</loc></url></urlset>") if req.path == "/custom-map.xml" else orig(app, req)
    crawl(srv, tmp_path)
    assert ids(tmp_path) == [f"{srv.url}/docs/b#b1"] and not srv.requests("/sitemap.xml")


def test_nothing_to_crawl_is_a_one_line_error_exit_2(tmp_path):
    import subprocess
    from agentic_lab.collect.http import CollectError
    with pytest.raises(CollectError, match=r"^web: nothing to crawl"):
        run_collect("web", tmp_path/"o", **FAST)
    r = subprocess.run([str(Path(sys.executable).parent/"agentic-lab"), "collect", "web", "--out", str(tmp_path/"o2"), "--no-progress"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [r.stderr.strip()] and "web: nothing to crawl" in r.stderr, r.stderr
    assert not (tmp_path/"o2"/"manifest.json").exists()
