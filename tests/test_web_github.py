"""GitHub source against a loopback stand-in: Link pagination to the end, `since` re-runs, primary/secondary/GraphQL rate limits, faults, redaction, kill-and-resume."""
import hashlib, json, sys, time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent/"fixtures"/"web"))
from fakeserver import FakeServer  # noqa: E402
from agentic_lab.collect.base import run_collect  # noqa: E402
import agentic_lab.collect.github  # noqa: E402,F401  (registers "github")
from agentic_lab.collect.http import CollectError  # noqa: E402
from agentic_lab.store import read_trajectories, read_manifest, iter_jsonl  # noqa: E402

TRACE = '```\nThought: look it up\nAction: search_docs\nAction Input: {"q": "tool calling"}\nObservation: found 3 pages\nFinal Answer: see the docs\n```'
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
FAST = dict(rate=500, backoff=0.01, retries=3, timeout=5, progress=False, secondary_wait=0.05)


class GitHub:
    "Issues of one repo (n issues, every odd one with a trace and each with 2 comments), paged by `page`/`per_page` with Link headers."
    def __init__(self, n=7, per_page=3):
        self.per = per_page
        self.issues = [self.issue(i) for i in range(1, n + 1)]
        self.comments = {i: [self.comment(i, k) for k in range(2)] for i in range(1, n + 1)}
        self.discussions = []
        self.not_modified = 0

    def issue(self, i, day=None):
        day = day or i
        return {"number": i, "title": f"agent loops {i}", "body": TRACE if i % 2 else f"plain text, my key is {TOKEN}", "comments": 2,
                "created_at": f"2024-02-{day:02d}T00:00:00Z", "updated_at": f"2024-02-{day:02d}T00:00:00Z",
                "html_url": f"https://github.com/o/r/issues/{i}", "repository_url": "https://api.github.com/repos/o/r"}

    def comment(self, i, k, day=None):
        day = day or i
        body = TRACE.replace("search_docs", f"tool_{i}_{k}") if k == 1 else f"same here, token {TOKEN}"
        return {"id": 1000 * i + k, "body": body, "html_url": f"https://github.com/o/r/issues/{i}#issuecomment-{1000*i+k}",
                "updated_at": f"2024-02-{day:02d}T00:00:0{k}Z"}

    def page(self, req, rows):
        page, per = int(req.query.get("page", 1)), int(req.query.get("per_page", self.per))
        q = "&".join(f"{k}={v}" for k, v in req.query.items() if k not in ("page",))
        hdr = {"Link": f'<{self.url}{req.path}?{q}&page={page+1}>; rel="next", <{self.url}{req.path}?page=99>; rel="last"'} if page * per < len(rows) else {}
        body = rows[(page - 1) * per: page * per]
        etag = '"%s"' % hashlib.md5(json.dumps(body).encode()).hexdigest()
        hdr.update({"ETag": etag, "Cache-Control": "private, max-age=0"})
        if req.headers.get("if-none-match") == etag: self.not_modified += 1; return 304, hdr, b""
        return 200, hdr, body

    def __call__(self, req):
        since = req.query.get("since", "")
        if req.path == "/graphql":
            v = json.loads(req.body)["variables"]; start = int(v["after"] or 0)
            nodes = self.discussions[start:start + 2]
            return 200, {}, {"data": {"repository": {"discussions": {"pageInfo": {"hasNextPage": start + 2 < len(self.discussions), "endCursor": str(start + 2)}, "nodes": nodes}}}}
        if req.path == "/search/issues":
            rows = [i for i in self.issues if "updated:>=" not in req.query["q"] or i["updated_at"] >= req.query["q"].split("updated:>=")[1]]
            st, h, items = self.page(req, rows); return st, h, {"total_count": len(rows), "items": items}
        if req.path.endswith("/comments"):
            n = int(req.path.split("/")[-2])
            return self.page(req, [c for c in self.comments[n] if c["updated_at"] >= since])
        if req.path == "/repos/o/r/issues":
            return self.page(req, sorted([i for i in self.issues if i["updated_at"] >= since], key=lambda i: i["updated_at"]))
        return 404, {}, {"message": "Not Found"}


@pytest.fixture
def gh():
    app = GitHub(); srv = FakeServer(app); app.url = srv.url
    yield app, srv
    srv.close()


def collect(srv, out, **kw):
    return run_collect("github", out, repos=["o/r"], base_url=srv.url, per_page=3, **{**FAST, **kw})


def ids(out): return sorted(t.source_id for t in read_trajectories(out))


EXPECTED = sorted([f"o/r#{i}#b1" for i in (1, 3, 5, 7)] + [f"o/r#{i}/c/{1000*i+1}#b0" for i in range(1, 8)])


def test_pagination_to_the_end_and_provenance(gh, tmp_path):
    app, srv = gh
    m = collect(srv, tmp_path)
    assert ids(tmp_path) == EXPECTED
    assert len([r for r in srv.log if r.path == "/repos/o/r/issues"]) == 3  # 7 issues, 3 per page
    c = m["counts"]; assert c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"]
    t = next(t for t in read_trajectories(tmp_path) if t.source_id.startswith("o/r#3/c/"))
    assert t.source_url == "https://github.com/o/r/issues/3#issuecomment-3001" and t.tool_calls[0].name == "tool_3_1"
    assert t.source == "github" and t.meta["repo"] == "o/r"


def test_planted_tokens_never_reach_disk(gh, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_" + "EnvTokenForTheTests0123456789abcdef")
    collect(gh[1], tmp_path/"raw"/"github")
    assert gh[1].log[0].headers["authorization"] == "Bearer ghp_EnvTokenForTheTests0123456789abcdef"
    assert (tmp_path/"raw"/".http-cache"/"github"/"http-cache.sqlite").stat().st_size > 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]  # outputs and the HTTP cache alike
    assert [str(p) for p in files if b"ghp_" in p.read_bytes() or b"EnvTokenForTheTests" in p.read_bytes()] == []


def test_incremental_rerun_fetches_only_what_changed(gh, tmp_path):
    app, srv = gh
    collect(srv, tmp_path)
    before = len(srv.log)
    new = app.issue(8, day=20); app.issues.append(new)
    app.comments[8] = [app.comment(8, k, day=20) for k in range(2)]
    app.issues[1]["updated_at"] = "2024-02-21T00:00:00Z"  # issue 2 gets a new comment
    app.comments[2].append({**app.comment(2, 1, day=21), "id": 2005})
    m = collect(srv, tmp_path, resume=True)
    assert ids(tmp_path) == sorted(EXPECTED + ["o/r#8/c/8001#b0", "o/r#2/c/2005#b0"])
    assert "duplicate" not in m["counts"]["dropped"]
    listing = [r for r in srv.log[before:] if r.path == "/repos/o/r/issues"]
    assert len(listing) == 1 and listing[0].query["since"] == "2024-02-07T00:00:01Z"
    assert {r.path for r in srv.log[before:]} == {"/repos/o/r/issues", "/repos/o/r/issues/8/comments", "/repos/o/r/issues/2/comments"}


@pytest.mark.parametrize("fault", [
    (429, {"Retry-After": "1"}, {"message": "slow down"}),
    (403, {"Retry-After": "1"}, {"message": "You have exceeded a secondary rate limit."}),
    (403, {}, {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
    (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "NOW+2"}, {"message": "API rate limit exceeded"}),
    (502, {}, "<html><body>Bad gateway</body></html>"),
    "reset", "slow", ("truncate",), (200, {"Content-Type": "text/html"}, "<html>Unicorn!</html>")])
def test_rate_limits_and_transient_faults_are_retried(gh, tmp_path, fault):
    app, srv = gh
    if isinstance(fault, tuple) and len(fault) > 1 and fault[1].get("X-RateLimit-Reset") == "NOW+2":
        # the reset epoch is whole seconds: set it when the test runs, at least one full second ahead
        fault = (fault[0], {**fault[1], "X-RateLimit-Reset": str(int(time.time()) + 2)}, fault[2])
    srv.faults["/repos/o/r/issues"] = [fault]
    srv.slow_s = 0.6
    t0 = time.monotonic(); m = collect(srv, tmp_path, timeout=0.3 if fault == "slow" else 5)
    assert ids(tmp_path) == EXPECTED and m["counts"]["quarantined"] == 0
    if isinstance(fault, tuple) and len(fault) > 1 and (fault[1].get("Retry-After") or fault[1].get("X-RateLimit-Reset")):
        assert time.monotonic() - t0 >= 0.5  # the requested wait was honoured


def test_primary_limit_on_success_waits_for_reset(gh, tmp_path):
    app, srv = gh
    orig = app.__call__
    reset = int(time.time()) + 2  # whole seconds: 1 to 2 s ahead
    reset_mono = reset - time.time() + time.monotonic()  # the same instant on the server log's clock
    srv.app = lambda req: (lambda st, h, b: (st, {**h, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)} if req.query.get("page") is None and req.path == "/repos/o/r/issues" else h, b))(*orig(req))
    collect(srv, tmp_path)
    first = srv.requests("/repos/o/r/issues")[0]
    nxt = srv.log[srv.log.index(first) + 1]  # the very next request, whatever it asks for
    assert first.t < reset_mono - 0.3 and nxt.t >= reset_mono - 0.05, (reset_mono - first.t, nxt.t - reset_mono)  # it waited until the announced reset
    assert ids(tmp_path) == EXPECTED


def test_missing_repo_and_comments_page_are_quarantined_and_run_goes_on(gh, tmp_path):
    app, srv = gh
    srv.faults["/repos/o/r/issues/3/comments"] = [(410, {}, {"message": "Gone"})]
    srv.faults["/repos/o/private/issues"] = [(403, {}, {"message": "Resource not accessible"})]
    kw = dict(repos=["o/gone", "o/private", "o/r"], base_url=srv.url, per_page=3, **FAST)
    m = run_collect("github", tmp_path, **kw)  # the stand-in answers 404 for o/gone
    assert ids(tmp_path) == [i for i in EXPECTED if i != "o/r#3/c/3001#b0"]
    reasons = [q["reason"] for q in iter_jsonl(tmp_path/"quarantine.jsonl")]
    assert m["counts"]["quarantined"] == 3 and len(reasons) == 3, reasons
    assert [r for r in reasons if "o/gone/issues" in r and "HTTP 404" in r] and [r for r in reasons if "o/private/issues" in r and "HTTP 403" in r]
    assert [r for r in reasons if "issues/3/comments" in r and "HTTP 410" in r]
    m = run_collect("github", tmp_path, resume=True, **kw)  # a resumed (incremental) pass is not stuck on them either
    assert ids(tmp_path) == [i for i in EXPECTED if i != "o/r#3/c/3001#b0"] and m["cursor"]["t"] == 3


def test_html_error_page_is_quarantined_and_run_goes_on(gh, tmp_path):
    app, srv = gh
    srv.faults["/repos/o/r/issues/3/comments"] = [(200, {"Content-Type": "text/html"}, "<html>Unicorn! This page is taking too long</html>")] * 5  # every retry
    m = collect(srv, tmp_path)
    assert m["counts"]["quarantined"] == 1
    q = list(iter_jsonl(tmp_path/"quarantine.jsonl"))
    assert "not JSON" in q[0]["reason"] and "issues/3" in json.dumps(q[0]["item"]) or "o/r#3" in json.dumps(q[0]["item"])
    assert ids(tmp_path) == [i for i in EXPECTED if i != "o/r#3/c/3001#b0"]


def test_kill_and_resume_loses_and_duplicates_nothing(gh, tmp_path):
    app, srv = gh
    for stop in (2, 5, 9):  # items seen before the "kill"
        out = tmp_path/f"run{stop}"
        collect(srv, out, limit=stop)
        m = collect(srv, out, resume=True)
        got = [t.source_id for t in read_trajectories(out)]
        assert sorted(got) == EXPECTED and len(got) == len(set(got)), stop
        assert "duplicate" not in m["counts"]["dropped"]
    assert app.not_modified > 0  # re-fetched pages were conditional requests answered 304


def test_failure_mid_run_commits_then_resumes(gh, tmp_path):
    app, srv = gh
    srv.faults["page=2"] = [(500, {}, "oops")] * 4  # retries=3: four failures exhaust them
    with pytest.raises(CollectError, match="resume"): collect(srv, tmp_path)
    kept = read_manifest(tmp_path)["counts"]["kept"]
    assert 0 < kept < len(EXPECTED)
    collect(srv, tmp_path, resume=True)
    assert ids(tmp_path) == EXPECTED


def test_search_query_and_discussions(gh, tmp_path):
    app, srv = gh
    m = run_collect("github", tmp_path/"s", query="ReAct agent repo:o/r", base_url=srv.url, per_page=3, **FAST)
    assert ids(tmp_path/"s") == EXPECTED and srv.requests("/search/issues")[0].query["sort"] == "updated"
    app.discussions = [{"id": f"D{i}", "number": i, "url": f"https://github.com/o/r/discussions/{i}", "title": f"d{i}", "body": TRACE if i == 2 else "hi",
                        "updatedAt": f"2024-03-0{9-i}T00:00:00Z", "createdAt": "2024-01-01T00:00:00Z",
                        "comments": {"nodes": [{"id": f"C{i}", "url": f"https://github.com/o/r/discussions/{i}#c", "body": "x",
                                                "replies": {"nodes": [{"id": f"R{i}", "url": f"https://github.com/o/r/discussions/{i}#r", "body": TRACE}]}}]}} for i in range(1, 4)]
    srv.faults["/graphql"] = [(200, {"X-RateLimit-Reset": "0.1"}, {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]})]
    m = run_collect("github", tmp_path/"d", repos=["o/r"], discussions=True, base_url=srv.url, per_page=3, token="t0ken-for-tests", **FAST)
    got = ids(tmp_path/"d")
    assert [i for i in got if "discussions" in i] == ["o/r/discussions/1/c/R1#b0", "o/r/discussions/2#b1", "o/r/discussions/2/c/R2#b0", "o/r/discussions/3/c/R3#b0"]
    assert srv.requests("/graphql")[-1].headers["authorization"] == "Bearer t0ken-for-tests"
    assert len(srv.requests("/graphql")) == 3  # rate-limited once, then 2 pages


def test_sigkill_mid_run_then_resume(gh, tmp_path):
    "A collector killed with SIGKILL (no chance to commit) resumes from its last commit with nothing lost or duplicated."
    import os, signal, subprocess
    app, srv = gh
    orig = srv.app
    srv.app = lambda req: (time.sleep(0.05), orig(req))[1]  # slow enough to kill mid-run
    code = (f"from agentic_lab.collect.base import run_collect; import agentic_lab.collect.github; "
            f"run_collect('github', {str(tmp_path)!r}, repos=['o/r'], base_url={srv.url!r}, per_page=3, shard_size=2, **{FAST!r})")
    p = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(srv.requests("/comments")) < 4: time.sleep(0.02)
    p.send_signal(signal.SIGKILL); p.wait()
    assert p.returncode == -signal.SIGKILL
    srv.app = orig
    if (tmp_path/"manifest.json").exists(): assert read_manifest(tmp_path)["counts"]["kept"] < len(EXPECTED)
    collect(srv, tmp_path, resume=True)
    got = [t.source_id for t in read_trajectories(tmp_path)]
    assert sorted(got) == EXPECTED and len(got) == len(set(got))


def test_resume_on_the_first_page_keeps_the_listing_query(gh, tmp_path):
    app, srv = gh
    collect(srv, tmp_path, limit=2)  # stops inside the first listing page
    m = collect(srv, tmp_path, resume=True)
    listing = [r for r in srv.log if r.path == "/repos/o/r/issues"]
    assert all(r.query.get("per_page") == "3" and r.query.get("state") == "all" for r in listing), [r.query for r in listing]
    assert ids(tmp_path) == EXPECTED and "duplicate" not in m["counts"]["dropped"] and m["cursor"]["t"] == 1


class Discussions(GitHub):
    "Also Discussions of o/r over GraphQL, 2 nodes per page everywhere: discussion i has 2 + i comments; comment 0 of each has 3 replies."
    def __init__(self):
        super().__init__()
        body = lambda k: TRACE.replace("search_docs", f"tool_{k}")
        self.threads = {f"D{i}": [{"id": f"C{i}_{k}", "url": f"https://github.com/o/r/discussions/{i}#c{k}", "body": body(f"c{i}_{k}")} for k in range(2 + i)] for i in (1, 2)}
        self.reply_lists = {f"C{i}_0": [{"id": f"R{i}_{k}", "url": f"https://github.com/o/r/discussions/{i}#r{k}", "body": body(f"r{i}_{k}")} for k in range(3)] for i in (1, 2)}
        self.discussions = [{"id": f"D{i}", "number": i, "url": f"https://github.com/o/r/discussions/{i}", "title": f"d{i}", "body": body(f"d{i}"),
                             "updatedAt": f"2024-03-0{9 - i}T00:00:00Z", "createdAt": "2024-01-01T00:00:00Z"} for i in (1, 2)]

    def conn(self, rows, start, render=dict):
        return {"pageInfo": {"hasNextPage": start + 2 < len(rows), "endCursor": str(start + 2)}, "nodes": [render(r) for r in rows[start:start + 2]]}

    def with_replies(self, c): return {**c, "replies": self.conn(self.reply_lists.get(c["id"], []), 0)}

    def __call__(self, req):
        if req.path != "/graphql": return super().__call__(req)
        q = json.loads(req.body); v = q["variables"]; start = int(v.get("after") or 0)
        if "node(id:" in q["query"]:  # the next page of one discussion's comments, or of one comment's replies
            if v["id"].startswith("D"): return 200, {}, {"data": {"node": {"comments": self.conn(self.threads[v["id"]], start, self.with_replies)}}}
            return 200, {}, {"data": {"node": {"replies": self.conn(self.reply_lists[v["id"]], start)}}}
        ds = [{**d, "comments": self.conn(self.threads[d["id"]], 0, self.with_replies)} for d in self.discussions]
        return 200, {}, {"data": {"repository": {"discussions": self.conn(ds, start)}}}


def test_discussions_paginate_comments_and_replies_and_resume_counts_each_once(tmp_path):
    app = Discussions(); srv = FakeServer(app); app.url = srv.url
    try:
        disc = [f"o/r/discussions/{i}#b1" for i in (1, 2)] + [f"o/r/discussions/{i}/c/C{i}_{k}#b0" for i in (1, 2) for k in range(2 + i)] \
            + [f"o/r/discussions/{i}/c/R{i}_{k}#b0" for i in (1, 2) for k in range(3)]
        want, rest = sorted(EXPECTED + disc), 7 + 14  # the REST issues and comments come first
        kw = dict(repos=["o/r"], discussions=True, base_url=srv.url, **FAST)
        m = run_collect("github", tmp_path/"all", **kw)
        assert ids(tmp_path/"all") == want  # comments and replies past the first page of each
        assert m["items_seen"] == rest + len(disc) and m["counts"]["kept"] == len(want)
        for stop in (1, 4, 9):  # stop inside a discussion, then resume
            out = tmp_path/f"run{stop}"
            run_collect("github", out, limit=rest + stop, **kw)
            m = run_collect("github", out, resume=True, **kw)
            got = [t.source_id for t in read_trajectories(out)]
            assert sorted(got) == want and len(got) == len(set(got)), stop
            assert "duplicate" not in m["counts"]["dropped"] and m["items_seen"] == rest + len(disc), (stop, m["items_seen"], m["counts"])
    finally:
        srv.close()


def test_default_repositories_come_from_the_source_catalog(tmp_path, monkeypatch):
    import yaml
    from agentic_lab.collect import catalog
    from agentic_lab.collect.github import GitHubSource, DEFAULT_REPOS
    repos = catalog.catalog_entry("github")["load"]["options"]["repos"]
    assert {"langchain-ai/langchain", "microsoft/autogen", "crewAIInc/crewAI", "huggingface/smolagents", "openai/openai-agents-python", "modelcontextprotocol/servers"} <= set(repos)
    assert GitHubSource().targets() == [("repo", r) for r in repos]
    doc = yaml.safe_load(catalog.catalog_path().read_text())
    next(e for e in doc["sources"] if e["name"] == "github")["load"]["options"]["repos"] = ["o/r", "o/s"]
    (tmp_path/"sources.yaml").write_text(yaml.safe_dump(doc))
    monkeypatch.setattr(catalog, "catalog_path", lambda: tmp_path/"sources.yaml")  # an edited catalog: the source follows it
    assert GitHubSource(discussions=True).targets() == [("repo", "o/r"), ("repo", "o/s"), ("discussions", "o/r"), ("discussions", "o/s")]
    assert GitHubSource(repos=["x/y"]).targets() == [("repo", "x/y")]
    monkeypatch.setattr(catalog, "catalog_path", lambda: tmp_path/"absent.yaml")  # no catalog at all: the built-in fallback
    assert GitHubSource().targets() == [("repo", r) for r in DEFAULT_REPOS]
