"""Fault injection against a loopback server: 429 + Retry-After, 5xx, timeouts, resets mid-body, truncated JSON,
rate-limit headers and body back-off. The collection must end with exactly the expected records, waiting where told."""
import json, time, threading
from collections import defaultdict
from pathlib import Path

import pytest
from werkzeug import Response

from agentic_lab.collect.base import run_collect, CollectError
from agentic_lab.collect.http import HttpClient, HttpError, Metrics
from agentic_lab.store import read_trajectories, read_manifest

N_PAGES, PER_PAGE = 6, 4


def item(i):
    return {"id": f"it{i}", "messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}


class FaultyApi:
    "A paginated JSON API whose pages fail in scripted ways on their first requests."
    def __init__(self, faults):
        self.faults = {p: list(f) for p, f in faults.items()}  # page -> faults to apply, one per request
        self.log = []  # (time, page, what was served)
        self.lock = threading.Lock()

    def __call__(self, req):
        page = int(req.args.get("page", 1))
        with self.lock:
            fault = self.faults.get(page, []).pop(0) if self.faults.get(page) else None
            self.log.append((time.monotonic(), page, fault or "ok"))
        items = [item(i) for i in range((page - 1) * PER_PAGE, page * PER_PAGE)] if page <= N_PAGES else []
        body = json.dumps({"items": items})
        if fault == "429":
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        if fault in ("500", "502", "503"):
            return Response("boom", status=int(fault))
        if fault == "timeout":
            time.sleep(0.6)
        if fault == "reset":
            def gen():
                yield body[: len(body) // 2].encode()
                raise ConnectionResetError("reset mid-body")
            return Response(gen(), headers={"Content-Length": str(len(body)), "Content-Type": "application/json"})
        if fault == "truncated":
            return Response(body[: len(body) // 2], content_type="application/json")
        if fault == "ratelimit-headers":
            return Response(body, content_type="application/json", headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": f"{time.time() + 0.5:.3f}"})
        if fault == "ratelimit-low":
            return Response(body, content_type="application/json", headers={"X-RateLimit-Remaining": "2", "X-RateLimit-Limit": "100", "X-RateLimit-Reset": f"{time.time() + 0.6:.3f}"})
        if fault == "body-backoff":
            return Response(json.dumps({"items": items, "backoff": 0.4}), content_type="application/json")
        return Response(body, content_type="application/json")

    def times(self, page):
        return [t for t, p, _ in self.log if p == page]


def collect(httpserver, tmp_path, faults, **kw):
    api = FaultyApi(faults)
    httpserver.expect_request("/items").respond_with_handler(api)
    opts = dict(url=httpserver.url_for("/items"), rate=100, backoff=0.05, timeout=0.3, retries=4, format="openai")
    opts.update(kw)
    m = run_collect("json-api", tmp_path / "out", progress=False, shard_size=5, **opts)
    return api, m


def expected_ids():
    return sorted(f"it{i}" for i in range(N_PAGES * PER_PAGE))


def test_every_fault_kind_still_yields_exact_records(httpserver, tmp_path):
    faults = {1: ["503"], 2: ["timeout", "500"], 3: ["reset"], 4: ["truncated", "502"], 5: ["reset", "truncated"]}
    api, m = collect(httpserver, tmp_path, faults)
    ids = [t.source_id for t in read_trajectories(tmp_path / "out")]
    assert sorted(ids) == expected_ids() and len(ids) == len(set(ids))
    c = m["counts"]
    assert c == {"in": N_PAGES * PER_PAGE, "kept": N_PAGES * PER_PAGE, "dropped": {}, "quarantined": 0}
    assert c["in"] == c["kept"] + sum(c["dropped"].values()) + c["quarantined"]
    met = m["metrics"]
    assert met["retries"] == 8 and met["errors"]["timeout"] == 1 and met["errors"]["connection"] == 2 and met["errors"]["bad_body"] == 2
    assert met["status"]["503"] == 1 and met["status"]["500"] == 1 and met["status"]["502"] == 1
    lines = (tmp_path / "out" / "metrics.jsonl").read_text().splitlines()
    assert lines and json.loads(lines[-1])["requests"] == met["requests"]


def test_429_waits_for_retry_after(httpserver, tmp_path):
    api, m = collect(httpserver, tmp_path, {2: ["429"]})
    t429, t_retry = api.times(2)
    assert t_retry - t429 >= 0.95, t_retry - t429  # Retry-After: 1
    assert m["counts"]["kept"] == N_PAGES * PER_PAGE
    assert m["metrics"]["status"]["429"] == 1 and m["metrics"]["wait_s"]["server"] >= 0.9


def test_rate_limit_headers_hold_the_next_request(httpserver, tmp_path):
    api, m = collect(httpserver, tmp_path, {2: ["ratelimit-headers"], 4: ["body-backoff"], 5: ["ratelimit-low"]})
    assert api.times(3)[0] - api.times(2)[0] >= 0.4  # reset 0.5 s ahead
    assert api.times(5)[0] - api.times(4)[0] >= 0.35  # body "backoff": 0.4
    assert api.times(6)[0] - api.times(5)[0] >= 0.2  # 2 left for 0.6 s: spaced ~0.3 s apart
    assert m["counts"]["kept"] == N_PAGES * PER_PAGE and m["metrics"]["errors"] == {}


def test_token_bucket_paces_requests(httpserver, tmp_path):
    api, m = collect(httpserver, tmp_path, {}, rate=20)
    ts = [t for t, _, _ in api.log]
    assert len(ts) == N_PAGES + 1  # the last, empty page ends it
    assert (ts[-1] - ts[0]) >= (len(ts) - 2) / 20  # one interval of slack: the first request may reach the server late


def test_client_errors_are_not_retried_and_fail_in_one_line(httpserver, tmp_path):
    httpserver.expect_request("/items").respond_with_data("forbidden", status=403)
    with pytest.raises(CollectError) as e:
        run_collect("json-api", tmp_path / "out", url=httpserver.url_for("/items"), rate=100, progress=False)
    assert "HTTP 403" in str(e.value) and "\n" not in str(e.value)
    assert len(httpserver.log) == 1


def test_retries_exhausted_saves_progress_and_resume_finishes(httpserver, tmp_path):
    api = FaultyApi({3: ["503"] * 3})
    httpserver.expect_request("/items").respond_with_handler(api)
    opts = dict(url=httpserver.url_for("/items"), rate=100, backoff=0.01, retries=2, format="openai")
    with pytest.raises(CollectError, match="re-run with --resume"):
        run_collect("json-api", tmp_path / "out", progress=False, shard_size=3, **opts)
    assert read_manifest(tmp_path / "out")["counts"]["kept"] == 2 * PER_PAGE
    m = run_collect("json-api", tmp_path / "out", progress=False, shard_size=3, resume=True, **opts)
    ids = [t.source_id for t in read_trajectories(tmp_path / "out")]
    assert sorted(ids) == expected_ids() and len(ids) == len(set(ids)) and m["counts"]["in"] == len(ids)


def test_cache_revalidates_with_etag(httpserver, tmp_path):
    seen = []
    def handler(req):
        seen.append(req.headers.get("If-None-Match"))
        if req.headers.get("If-None-Match") == '"p1"':
            return Response(status=304, headers={"ETag": '"p1"'})
        return Response(json.dumps({"items": [item(0)], "has_more": False}), content_type="application/json", headers={"ETag": '"p1"'})
    httpserver.expect_request("/items").respond_with_handler(handler)
    opts = dict(url=httpserver.url_for("/items"), rate=100, format="openai")
    run_collect("json-api", tmp_path / "out", progress=False, **opts)
    m = run_collect("json-api", tmp_path / "out", progress=False, **opts)  # a fresh run over the same folder
    assert seen == [None, '"p1"'] and m["metrics"]["cache_hits"] == 1 and m["counts"]["kept"] == 1


def test_truncated_body_with_etag_on_a_query_page_is_refetched(httpserver, tmp_path):
    served = defaultdict(list)  # page -> If-None-Match of each request
    def handler(req):
        page = int(req.args.get("page", 1)); served[page].append(req.headers.get("If-None-Match"))
        if req.headers.get("If-None-Match") == f'"p{page}"':  # the server's copy is whole: a revalidation says "unchanged"
            return Response(status=304, headers={"ETag": f'"p{page}"'})
        body = json.dumps({"items": [item(page)] if page <= 2 else []})
        if page == 2 and len(served[2]) == 1: body = body[: len(body) // 2]  # cut short in transit, ETag and all
        return Response(body, content_type="application/json", headers={"ETag": f'"p{page}"'})
    httpserver.expect_request("/items").respond_with_handler(handler)
    m = run_collect("json-api", tmp_path / "out", progress=False, url=httpserver.url_for("/items"), rate=100, backoff=0.01, format="openai")
    assert sorted(t.source_id for t in read_trajectories(tmp_path / "out")) == ["it1", "it2"]
    assert served[2] == [None, None] and m["metrics"]["errors"] == {"bad_body": 1}  # evicted, so not revalidated back into the broken copy


def test_robots_txt_is_obeyed_for_scraping(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: agentic-lab\nDisallow: /private\n")
    httpserver.expect_request("/public").respond_with_data("hello")
    c = HttpClient(rate=100)
    assert c.get_text(httpserver.url_for("/public"), scrape=True) == "hello"
    with pytest.raises(CollectError, match="disallowed by robots.txt"):
        c.get_text(httpserver.url_for("/private/x"), scrape=True)
