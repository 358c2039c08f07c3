"""Planted secrets of every kind — in titles, bodies, code blocks, URLs, tool arguments, error messages, options and
the collector's own credentials — must not survive into shards, quarantine, logs, metrics or manifests."""
import json, logging
from pathlib import Path

import pytest
from werkzeug import Response

from agentic_lab.core import Trajectory, Message, ToolCall
from agentic_lab.collect.base import Source, Collector, run_collect, register_source, CollectError, JsonApiSource
from agentic_lab.collect.redact import redact_text, redact_obj, register_env_secrets

COLLECTOR_TOKEN = "plainCollectorCredential9731"  # shaped like nothing: caught only because it is registered
SECRETS = {
    "GITHUB_TOKEN": "ghp_" + "A1b2C3d4E5" * 4,
    "GITHUB_PAT": "github_pat_11AAAAAAA0" + "x" * 30,
    "OPENAI_KEY": "sk-proj-" + "Zz9Yy8Xx7Ww6" * 3,
    "AWS_KEY": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "HF_TOKEN": "hf_" + "q" * 34,
    "JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "BEARER": "b7f0c2d9e1a84b6c9d3e2f1a0b9c8d7e",
    "URL_PASSWORD": "s3cr3tPassw0rd",
    "EMAIL": "jane.doe@example.com",
    "PHONE": "+1 (415) 555-0132",
    "PASSWORD_ARG": "hunter2-correct-horse",
    "COLLECTOR": COLLECTOR_TOKEN,
}


def body(i):
    s = SECRETS
    return (f"Title with {s['EMAIL']} and key {s['OPENAI_KEY']}\n"
            f"```bash\nexport AWS_ACCESS_KEY_ID={s['AWS_KEY']}\naws_secret_access_key = {s['AWS_SECRET']}\n"
            f"curl -H 'Authorization: Bearer {s['BEARER']}' https://admin:{s['URL_PASSWORD']}@db.example.org/x\n```\n"
            f"HF {s['HF_TOKEN']} JWT {s['JWT']} call {s['PHONE']} gh {s['GITHUB_TOKEN']} pat {s['GITHUB_PAT']} ours {s['COLLECTOR']} #{i}")


log = logging.getLogger("agentic_lab.tests.planted")


@register_source
class PlantedSource(Source):
    name, kind, accepts = "planted-test", "api", ("api_token", "note")
    def iter_items(self, cursor=None):
        for i in range(cursor or 0, 4):
            yield {"id": f"p{i}", "title": f"Issue {i}: leak {SECRETS['EMAIL']}", "body": body(i),
                   "url": f"https://user:{SECRETS['URL_PASSWORD']}@github.com/o/r/issues/{i}?token={SECRETS['GITHUB_TOKEN']}",
                   "args": {"password": SECRETS["PASSWORD_ARG"], "to": SECRETS["EMAIL"]}}, i + 1
    def normalize(self, item):
        log.warning("normalizing %s from %s", item["id"], item["url"])  # logs must be redacted too
        if item["id"] == "p3": raise ValueError(f"cannot parse {item['body'][:200]}")  # quarantined, reason redacted
        return Trajectory(source=self.name, source_id=item["id"], source_url=item["url"], meta={"title": item["title"]},
                          messages=[Message("user", item["title"] + "\n" + item["body"]),
                                    Message("assistant", "", tool_calls=[ToolCall("send_mail", item["args"])])])


def all_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_no_planted_secret_survives(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("MY_COLLECTOR_TOKEN", COLLECTOR_TOKEN); register_env_secrets()
    caplog.set_level(logging.INFO)
    out = tmp_path / "out"
    m = run_collect("planted-test", out, progress=False, api_token=SECRETS["GITHUB_TOKEN"], note=f"contact {SECRETS['EMAIL']}")
    assert m["counts"] == {"in": 4, "kept": 3, "dropped": {}, "quarantined": 1}
    text = all_text(out)
    for f in ("manifest.json", "quarantine.jsonl", "metrics.jsonl", "collect.log", "shard-00000.jsonl"):
        assert (out / f).exists(), f
    assert "normalizing p0" in (out / "collect.log").read_text()
    leaked = {k: v for k, v in SECRETS.items() if v in text or v in caplog.text}
    assert leaked == {}, f"survived: {sorted(leaked)}"
    for kind in ("EMAIL", "PHONE", "OPENAI_KEY", "AWS_KEY", "AWS_SECRET", "HF_TOKEN", "JWT", "BEARER_TOKEN", "URL_PASSWORD", "GITHUB_TOKEN", "SECRET", "CREDENTIAL"):
        assert m["redactions"].get(kind, 0) > 0, kind
        assert f"[REDACTED_{kind}]" in text, kind


def test_http_client_credentials_never_logged(httpserver, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    token = "zq-" + "9f8e7d6c5b4a" * 2
    httpserver.expect_request("/items").respond_with_data("nope", status=500)

    class Authed(Source):
        name, kind, accepts = "authed-test", "api", ("url", "retries", "backoff")
        def http_headers(self): return {"Authorization": f"token {token}"}
        def iter_items(self, cursor=None):
            yield self.http.get_json(self.options["url"] + f"?access_token={token}"), 1

    out = tmp_path / "out"
    with pytest.raises(CollectError) as e:
        Collector(Authed(url=httpserver.url_for("/items"), retries=1, backoff=0.01), out, progress=False).run()
    assert token not in str(e.value) and token not in caplog.text and token not in all_text(out)
    assert httpserver.log[0][0].headers["Authorization"] == f"token {token}"  # it was sent, just never written


def test_http_cache_holds_no_secret_and_still_revalidates(httpserver, tmp_path, monkeypatch):
    "Every file under the data folder — the on-disk HTTP cache included — is free of planted secrets and of the collector's credentials."
    monkeypatch.setenv("MY_COLLECTOR_TOKEN", COLLECTOR_TOKEN); register_env_secrets()
    token = "qv-" + "5e4d3c2b1a0f" * 2  # the collector's credential, sent as a header and as a query parameter
    page = {"items": [{"id": f"h{i}", "messages": [{"role": "user", "content": body(i)}, {"role": "assistant", "content": f"ok {SECRETS['EMAIL']}"}]}
                      for i in range(2)], "has_more": False}
    seen = []
    def handler(req):
        seen.append((req.headers.get("Authorization"), req.args.get("access_token"), req.headers.get("If-None-Match")))
        if req.headers.get("If-None-Match") == '"v1"': return Response(status=304, headers={"ETag": '"v1"'})
        return Response(json.dumps(page), content_type="application/json", headers={"ETag": '"v1"', "Set-Cookie": f"session={token}"})
    httpserver.expect_request("/items").respond_with_handler(handler)

    class AuthedApi(JsonApiSource):
        name = "authed-api-test"
        def http_headers(self): return {"Authorization": f"Bearer {token}"}

    out = tmp_path / "raw" / "authed"
    for _ in range(2):  # the second, fresh run revalidates the cached page
        m = run_collect(AuthedApi(url=httpserver.url_for("/items"), params={"access_token": token}, format="openai", rate=100), out, progress=False)
        assert m["counts"]["kept"] == 2
    assert seen == [(f"Bearer {token}", token, None), (f"Bearer {token}", token, '"v1"')]  # sent with credentials, conditionally the second time
    assert m["metrics"]["cache_hits"] == 1
    cache = tmp_path / "raw" / ".http-cache" / "authed"
    assert sum(p.stat().st_size for p in cache.rglob("http-cache.sqlite*")) > 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    leaked = sorted((str(p.relative_to(tmp_path)), k) for p in files for k, v in {**SECRETS, "token": token}.items() if v.encode() in p.read_bytes())
    assert leaked == [], leaked


def test_redact_obj_keeps_structure():
    obj = {"a": [SECRETS["EMAIL"], {"password": "x1y2z3"}], "n": 3, "ok": "nothing here"}
    red, c = redact_obj(obj)
    assert red == {"a": ["[REDACTED_EMAIL]", {"password": "[REDACTED_SECRET]"}], "n": 3, "ok": "nothing here"}
    assert dict(c) == {"EMAIL": 1, "SECRET": 1}
    assert redact_text("")[0] == "" and redact_text(None)[0] is None
