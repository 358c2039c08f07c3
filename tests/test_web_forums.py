"""Stack Exchange and Reddit sources against loopback stand-ins: pagination, incremental re-runs, quota/backoff/throttle and Reddit's limit headers, OAuth, faults, redaction, kill-and-resume."""
import base64, json, sys, time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent/"fixtures"/"web"))
from fakeserver import FakeServer  # noqa: E402
from agentic_lab.collect.base import run_collect  # noqa: E402
from agentic_lab.collect.http import CollectError  # noqa: E402
import agentic_lab.collect.forums  # noqa: E402,F401  (registers stackexchange, reddit)
from agentic_lab.store import read_trajectories, read_manifest, iter_jsonl  # noqa: E402

FAST = dict(rate=500, backoff=0.01, retries=3, timeout=5, progress=False)
KEY = "sk-proj-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0"
CALL_HTML = '<p>The model returns</p><pre><code>{"role": "assistant", "content": null, "tool_calls": [{"id": "call_%d", "type": "function", "function": {"name": "get_price", "arguments": "{\\"sku\\": %d}"}}]}</code></pre>'
HERMES_MD = 'Qwen gives me\n\n```\n<tool_call>\n{"name": "web_search", "arguments": {"query": "item %s"}}\n</tool_call>\n```\nwith OPENAI_API_KEY=' + KEY


def ids(out): return sorted(t.source_id for t in read_trajectories(out))


# ---------------------------------------------------------------- Stack Exchange
class SE:
    "7 questions (ids 1..7, activity 1000+i), every question with one answer; answers of odd questions hold a tool call."
    def __init__(self):
        self.qs = [self.q(i) for i in range(1, 8)]
        self.extra = {}

    def q(self, i, act=None):
        return {"question_id": i, "title": f"tools {i}", "body": f"<p>How? my key {KEY}</p>", "answer_count": 1, "creation_date": 500 + i,
                "last_activity_date": act or 1000 + i, "link": f"https://stackoverflow.com/questions/{i}", "tags": ["function-calling"]}

    def __call__(self, req):
        page, size = int(req.query.get("page", 1)), int(req.query.get("pagesize", 3))
        if req.path.endswith("/answers"):
            qids = [int(x) for x in req.path.split("/")[-2].split(";")]
            items = [{"answer_id": 100 + q, "question_id": q, "creation_date": 600 + q, "body": CALL_HTML % (q, q) if q % 2 else "<p>no idea</p>"} for q in qids]
            items += [a for q in qids for a in self.extra.get(q, [])]
            items = [a for a in items if a["creation_date"] >= int(req.query.get("fromdate", 0))]
            return 200, {"gzip": True}, {"items": items, "has_more": False, "quota_remaining": 100, "quota_max": 300}
        rows = sorted([q for q in self.qs if q["last_activity_date"] >= int(req.query.get("min", 0))], key=lambda q: q["last_activity_date"])
        return 200, {"gzip": True}, {"items": rows[(page - 1) * size: page * size], "has_more": page * size < len(rows), "quota_remaining": 100, "quota_max": 300}


@pytest.fixture
def se():
    app = SE(); srv = FakeServer(app)
    yield app, srv
    srv.close()


def se_collect(srv, out, **kw):
    return run_collect("stackexchange", out, **{"tags": ["function-calling"], "base_url": srv.url, "pagesize": 3, **FAST, **kw})


SE_EXPECTED = [f"stackoverflow/a/{100+q}#b1" for q in (1, 3, 5, 7)]


def test_se_pages_to_the_end_with_bodies(se, tmp_path):
    app, srv = se
    m = se_collect(srv, tmp_path)
    assert ids(tmp_path) == SE_EXPECTED
    search = srv.requests("/2.3/search/advanced")
    assert len(search) == 3 and all(r.query["filter"] == "withbody" and r.query["tagged"] == "function-calling" for r in search)
    assert len(srv.requests("/answers")) == 3  # one batched answers call per page
    t = next(read_trajectories(tmp_path)); assert t.source_url == "https://stackoverflow.com/a/101" and t.license == "CC BY-SA 4.0"
    c = m["counts"]; assert c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"]
    assert not any("sk-proj" in p.read_text() for p in tmp_path.rglob("*.json*"))


def test_se_backoff_field_and_throttle_violation_are_obeyed(se, tmp_path):
    app, srv = se
    orig = SE.__call__
    def app_backoff(req):
        st, h, body = orig(app, req)
        if req.path.endswith("/advanced") and req.query.get("page") == "1": body = {**body, "backoff": 1}
        return st, h, body
    srv.app = app_backoff
    srv.faults["page=2"] = [(400, {}, {"error_id": 502, "error_name": "throttle_violation", "error_message": "too many requests from this IP, more requests available in 1 seconds"})]
    se_collect(srv, tmp_path)
    assert ids(tmp_path) == SE_EXPECTED
    search = [r for r in srv.log if r.path.endswith("/advanced")]
    after_first = [r for r in srv.log if r.t > search[0].t]
    assert after_first[0].t - search[0].t >= 0.9  # backoff: 1 s before the next call to the API
    p2 = [r for r in search if r.query.get("page") == "2"]
    assert len(p2) == 2 and p2[1].t - p2[0].t >= 0.9  # throttle_violation: retried after the named wait


def test_se_quota_exhausted_stops_cleanly_and_resumes(se, tmp_path):
    app, srv = se
    orig = SE.__call__
    state = {"spent": True}
    def app_quota(req):
        st, h, body = orig(app, req)
        if req.path.endswith("/advanced") and req.query.get("page") == "2" and state["spent"]: body = {**body, "quota_remaining": 0}
        return st, h, body
    srv.app = app_quota
    with pytest.raises(CollectError, match="quota"): se_collect(srv, tmp_path)
    assert read_manifest(tmp_path)["counts"]["kept"] >= 2
    state["spent"] = False
    se_collect(srv, tmp_path, resume=True)
    got = [t.source_id for t in read_trajectories(tmp_path)]
    assert sorted(got) == SE_EXPECTED and len(got) == len(set(got))


@pytest.mark.parametrize("fault", [(503, {}, "<html>busy</html>"), (429, {"Retry-After": "1"}, "slow down"), "reset", "slow", ("truncate",)])
def test_se_transient_faults_are_retried(se, tmp_path, fault):
    app, srv = se
    srv.faults["/2.3/search/advanced"] = [fault]; srv.slow_s = 0.6
    m = se_collect(srv, tmp_path, timeout=0.3 if fault == "slow" else 5)
    assert ids(tmp_path) == SE_EXPECTED and m["counts"]["quarantined"] == 0


def test_se_html_error_page_quarantined(se, tmp_path):
    app, srv = se
    srv.faults["/answers"] = [(200, {"Content-Type": "text/html"}, "<html><h1>503 Service Unavailable</h1></html>")] * 4
    m = se_collect(srv, tmp_path)
    assert m["counts"]["quarantined"] == 1 and "not JSON" in next(iter_jsonl(tmp_path/"quarantine.jsonl"))["reason"]
    assert ids(tmp_path) == [i for i in SE_EXPECTED if i not in ("stackoverflow/a/101#b1", "stackoverflow/a/103#b1")]


def test_se_bad_parameter_400_is_quarantined_and_run_goes_on(se, tmp_path):
    app, srv = se
    srv.faults["tagged=no-such"] = [(400, {}, {"error_id": 400, "error_name": "bad_parameter", "error_message": "tagged"})]
    m = se_collect(srv, tmp_path, tags=["no-such", "function-calling"])
    assert ids(tmp_path) == SE_EXPECTED and m["counts"]["quarantined"] == 1
    assert "HTTP 400" in next(iter_jsonl(tmp_path/"quarantine.jsonl"))["reason"]


def test_se_incremental_rerun(se, tmp_path):
    app, srv = se
    se_collect(srv, tmp_path)
    n = len(srv.log)
    app.qs[1]["last_activity_date"] = 2000  # question 2 gets a new answer with a trace
    app.extra[2] = [{"answer_id": 902, "question_id": 2, "creation_date": 1990, "body": CALL_HTML % (9, 9)}]
    m = se_collect(srv, tmp_path, resume=True)
    assert ids(tmp_path) == sorted(SE_EXPECTED + ["stackoverflow/a/902#b1"])
    new = srv.log[n:]
    assert new[0].query["min"] == "1008" and len(new) == 2 and "duplicate" not in m["counts"]["dropped"]


def test_se_kill_and_resume(se, tmp_path):
    app, srv = se
    for stop in (1, 4, 9):
        out = tmp_path/str(stop)
        se_collect(srv, out, limit=stop); se_collect(srv, out, resume=True)
        got = [t.source_id for t in read_trajectories(out)]
        assert sorted(got) == SE_EXPECTED and len(got) == len(set(got)), stop


# ---------------------------------------------------------------- Reddit
class Reddit:
    "r/LocalLLaMA with 5 posts (newest first, 2 per page); post i has 2 comments, a reply holds a Hermes call when i is odd."
    def __init__(self):
        self.posts = [self.post(i) for i in range(5, 0, -1)]
        self.token_requests = []

    def post(self, i):
        return {"id": f"p{i}", "name": f"t3_p{i}", "subreddit": "LocalLLaMA", "title": f"post {i}", "selftext": "anyone?", "created_utc": 1000.0 + i,
                "num_comments": 2, "permalink": f"/r/LocalLLaMA/comments/p{i}/post_{i}/"}

    def comments(self, i):
        reply = {"kind": "t1", "data": {"id": f"r{i}", "name": f"t1_r{i}", "subreddit": "LocalLLaMA", "body": HERMES_MD % i if i % 2 else "same", "replies": "",
                                         "permalink": f"/r/LocalLLaMA/comments/p{i}/post_{i}/r{i}/"}}
        top = {"kind": "t1", "data": {"id": f"c{i}", "name": f"t1_c{i}", "subreddit": "LocalLLaMA", "body": "what model?", "permalink": f"/r/LocalLLaMA/comments/p{i}/post_{i}/c{i}/",
                                       "replies": {"kind": "Listing", "data": {"children": [reply, {"kind": "more", "data": {"count": 3}}]}}}}
        return [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": self.post(i)}]}}, {"kind": "Listing", "data": {"children": [top]}}]

    def __call__(self, req):
        if req.path == "/api/v1/access_token":
            self.token_requests.append(req)
            return 200, {}, {"access_token": "reddit-token-123456789", "token_type": "bearer", "expires_in": 86400}
        if req.path.startswith("/comments/"):
            return 200, {}, self.comments(int(req.path.split("/")[-1].split(".")[0][1:]))
        if req.path == "/r/LocalLLaMA/search.json":
            assert req.query["restrict_sr"] == "1" and req.query["sort"] == "new"
            rows = [p for p in self.posts if req.query["q"] in p["title"]]
            return 200, {}, {"kind": "Listing", "data": {"after": None, "children": [{"kind": "t3", "data": p} for p in rows]}}
        if req.path == "/r/LocalLLaMA/new.json":
            start = next((k + 1 for k, p in enumerate(self.posts) if p["name"] == req.query.get("after")), 0)
            rows = self.posts[start:start + 2]
            after = rows[-1]["name"] if start + 2 < len(self.posts) else None
            return 200, {"X-Ratelimit-Remaining": "95.0", "X-Ratelimit-Reset": "300", "X-Ratelimit-Used": "5"}, \
                {"kind": "Listing", "data": {"after": after, "children": [{"kind": "t3", "data": p} for p in rows]}}
        return 404, {}, {"message": "Not Found", "error": 404}


@pytest.fixture
def rd():
    app = Reddit(); srv = FakeServer(app)
    yield app, srv
    srv.close()


def rd_collect(srv, out, **kw):
    return run_collect("reddit", out, **{"subreddits": ["LocalLLaMA"], "base_url": srv.url, **FAST, **kw})


RD_EXPECTED = [f"LocalLLaMA/t1_r{i}#b1" for i in (1, 3, 5)]


def test_reddit_pages_with_after_and_flattens_comment_trees(rd, tmp_path):
    app, srv = rd
    m = rd_collect(srv, tmp_path)
    assert ids(tmp_path) == RD_EXPECTED
    assert [r.query.get("after") for r in srv.requests("/new.json")] == [None, "t3_p4", "t3_p2"]
    t = next(t for t in read_trajectories(tmp_path) if t.source_id.startswith("LocalLLaMA/t1_r3"))
    assert t.source_url == "https://www.reddit.com/r/LocalLLaMA/comments/p3/post_3/r3/" and t.tool_calls[0].arguments == {"query": "item 3"}
    assert not any("sk-proj" in p.read_text() for p in tmp_path.rglob("*.json*"))
    assert m["counts"]["dropped"]["no_agentic_pattern"] == 5 + 5 + 2
    assert m["counts"]["dropped"]["more_comments_not_fetched"] == 5  # each post's `kind: more` stub is counted, not lost silently


def test_reddit_oauth_app_credentials(rd, tmp_path):
    app, srv = rd
    rd_collect(srv, tmp_path, client_id="my-app", client_secret="s3cr3t-value-xyz", auth_url=srv.url + "/api/v1/access_token")
    tok = app.token_requests[0]
    assert tok.method == "POST" and b"grant_type=client_credentials" in tok.body
    assert tok.headers["authorization"] == "Basic " + base64.b64encode(b"my-app:s3cr3t-value-xyz").decode()
    assert all(r.headers.get("authorization") == "bearer reddit-token-123456789" for r in srv.requests("/new.json"))
    assert not any("s3cr3t-value-xyz" in p.read_text() or "reddit-token-123456789" in p.read_text() for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl", ".log"))


@pytest.mark.parametrize("fault", [
    (200, {"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "1", "X-Ratelimit-Used": "100"}, None),
    (429, {"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "1"}, {"message": "Too Many Requests", "error": 429}),
    (503, {}, "<html>all our servers are busy</html>"), "reset", "slow", ("truncate",)])
def test_reddit_rate_limit_headers_and_faults(rd, tmp_path, fault):
    app, srv = rd
    srv.slow_s = 0.6
    if isinstance(fault, tuple) and len(fault) > 2 and fault[2] is None:  # a normal page whose headers say the budget is spent
        orig = Reddit.__call__
        def spent(req):
            st, h, b = orig(app, req)
            return (st, {**h, **fault[1]}, b) if req.path.endswith("new.json") and "after" not in req.query else (st, h, b)
        srv.app = spent
    else: srv.faults["/new.json"] = [fault]
    m = rd_collect(srv, tmp_path, timeout=0.3 if fault == "slow" else 5)
    assert m["counts"]["quarantined"] == 0
    assert ids(tmp_path) == RD_EXPECTED
    if isinstance(fault, tuple) and len(fault) > 1 and fault[1].get("X-Ratelimit-Reset"):
        first = srv.requests("/new.json")[0]
        nxt = next(r for r in srv.log if r.t > first.t)
        assert nxt.t - first.t >= 0.9  # waited for X-Ratelimit-Reset


def test_reddit_private_banned_and_non_listing_subreddits_are_quarantined(rd, tmp_path):
    app, srv = rd
    srv.faults["/r/secret/"] = [(403, {}, {"reason": "private", "message": "Forbidden", "error": 403})]
    srv.faults["/r/odd/"] = [(200, {}, {"kind": "Listing", "data": {"after": None}})]  # no children
    srv.faults["/comments/p3"] = [(403, {}, {"reason": "quarantined", "message": "Forbidden", "error": 403})]
    m = rd_collect(srv, tmp_path, subreddits=["secret", "banned", "odd", "LocalLLaMA"])  # the stand-in answers 404 for r/banned
    assert ids(tmp_path) == [i for i in RD_EXPECTED if i != "LocalLLaMA/t1_r3#b1"]
    reasons = [q["reason"] for q in iter_jsonl(tmp_path/"quarantine.jsonl")]
    assert m["counts"]["quarantined"] == 4 and len(reasons) == 4, reasons
    assert "/r/secret/new.json" in reasons[0] and "HTTP 403" in reasons[0] and "/r/banned/new.json" in reasons[1] and "HTTP 404" in reasons[1]
    assert "no data.children" in reasons[2] and "/comments/p3.json" in reasons[3]


def test_reddit_incremental_and_kill_resume(rd, tmp_path):
    app, srv = rd
    rd_collect(srv, tmp_path/"a")
    n = len(srv.log)
    app.posts.insert(0, app.post(7))
    m = rd_collect(srv, tmp_path/"a", resume=True)
    assert ids(tmp_path/"a") == sorted(RD_EXPECTED + ["LocalLLaMA/t1_r7#b1"])
    assert [r.path for r in srv.log[n:]] == ["/r/LocalLLaMA/new.json", "/comments/p7.json"] and "duplicate" not in m["counts"]["dropped"]
    for stop in (2, 6, 11):
        out = tmp_path/str(stop)
        rd_collect(srv, out, limit=stop); rd_collect(srv, out, resume=True)
        got = [t.source_id for t in read_trajectories(out)]
        assert sorted(got) == sorted(RD_EXPECTED + ["LocalLLaMA/t1_r7#b1"]) and len(got) == len(set(got)), stop


def test_reddit_search(rd, tmp_path):
    app, srv = rd
    rd_collect(srv, tmp_path, query="post 3")
    assert ids(tmp_path) == ["LocalLLaMA/t1_r3#b1"] and srv.requests("/search.json")[0].query["q"] == "post 3"
