"""Collection benchmark (not a timed test).

1. HTTP pacing: a loopback JSON API that allows R requests/s (a token bucket; over the limit it answers 429 with
   Retry-After) is collected with `json-api` at rate R. Reports the sustained request rate as a fraction of R
   (aim >= 0.9) and the number of 429s (aim 0).
2. Local throughput: records/s through redact -> normalize (formats.parse + segmentation) -> write (store shards)
   for an in-memory dataset and for a local JSONL file (read line by line, each bad line quarantined with its number), against a baseline that only json-decodes
   the same file, measured in the same run (aim >= 5,000 records/s on one core). One record in ten carries an
   e-mail address to redact. Records/s are given by wall time and by this process's CPU time (the honest
   "one core" figure on a shared machine).

Usage: python -m bench.bench_collect [--quick] [--rate R] [--seconds S] [--records N]
"""
import argparse, json, shutil, socket, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


class Bucket:
    "The server's own limiter: `rate` tokens/s, at most `burst` saved up."
    def __init__(self, rate, burst=2):
        self.rate, self.burst, self.tokens, self.t, self.lock = rate, burst, float(burst), time.monotonic(), threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate); self.t = now
            if self.tokens >= 1: self.tokens -= 1; return True
            return False


def serve(rate, pages, per_page=5):
    "Start a rate-limited paginated API on 127.0.0.1; returns (server, url, stats)."
    bucket, stats = Bucket(rate), {"ok": 0, "429": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body go out as separate writes: no Nagle stall
        def do_GET(self):
            if not bucket.take():
                stats["429"] += 1
                body = b"rate limited"; self.send_response(429); self.send_header("Retry-After", "1")
            else:
                stats["ok"] += 1
                page = int(parse_qs(urlparse(self.path).query).get("page", ["1"])[0])
                items = [{"id": f"p{page}-{i}", "messages": [{"role": "user", "content": f"q {page} {i}"}, {"role": "assistant", "content": "a"}]}
                         for i in range(per_page)] if page <= pages else []
                body = json.dumps({"items": items}).encode(); self.send_response(200); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_port}/items", stats


def bench_http(rate, seconds, tmp):
    from agentic_lab.collect.base import run_collect
    pages = int(rate * seconds)
    srv, url, stats = serve(rate, pages)
    try:
        t = time.monotonic()
        m = run_collect("json-api", tmp / "http", url=url, rate=rate, format="openai", progress=False, cache=False)
        dt = time.monotonic() - t
    finally:
        srv.shutdown()
    reqs = m["metrics"]["requests"]
    return {"R (req/s)": rate, "requests": reqs, "seconds": round(dt, 2), "achieved (req/s)": round(reqs / dt, 2),
            "fraction of R": round(reqs / dt / rate, 3), "429s": stats["429"], "records": m["counts"]["kept"]}


def make_rows(n):
    return [{"id": f"r{i}", "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
             "messages": [{"role": "user", "content": f"Weather in city {i}?" + (f" Mail me at user{i}@example.com" if i % 10 == 0 else "")},
                          {"role": "assistant", "content": "<think>Look it up.</think>", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": f"c{i}"})}}]},
                          {"role": "tool", "tool_call_id": "c1", "content": '{"temp_c": 20, "sky": "clear"}'},
                          {"role": "assistant", "content": f"It is 20 °C and clear in city {i}."}]} for i in range(n)]


def bench_local(n, tmp):
    from agentic_lab.collect.base import run_collect
    import agentic_lab.collect.hf  # noqa: F401  (registers hf)
    rows = make_rows(n)
    path = tmp / "rows.jsonl"; path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    warm = tmp / "warm.jsonl"; warm.write_text("".join(json.dumps(r) + "\n" for r in rows[:20]))
    run_collect("hf", tmp / "warm", dataset=str(warm), adapter="openai", progress=False)  # lazy imports (datasets, torch) are not throughput
    t = time.process_time()
    for line in open(path): json.loads(line)
    base = time.process_time() - t
    out = []
    for name, src, opts in [("in-memory (list)", "list", {"items": rows, "format": "openai"}),
                            ("JSONL file (hf)", "hf", {"dataset": str(path), "adapter": "openai"})]:
        t, c = time.perf_counter(), time.process_time()
        m = run_collect(src, tmp / f"local-{src}", progress=False, **opts)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        assert m["counts"]["kept"] == n, m["counts"]
        out.append({"path": name, "records": n, "wall s": round(dt, 2), "cpu s": round(dc, 2), "records/s (wall)": round(n / dt),
                    "records/s (cpu)": round(n / dc), "x json.loads baseline (cpu)": round(dc / base, 1)})
    out.append({"path": "baseline: json.loads only", "records": n, "wall s": round(base, 3), "cpu s": round(base, 3), "records/s (wall)": round(n / base),
                "records/s (cpu)": round(n / base), "x json.loads baseline (cpu)": 1.0})
    return out


def table(rows):
    keys = list(rows[0])
    widths = [max(len(str(k)), *(len(str(r[k])) for r in rows)) for k in keys]
    lines = ["  ".join(str(k).ljust(w) for k, w in zip(keys, widths))]
    lines += ["  ".join(str(r[k]).ljust(w) for k, w in zip(keys, widths)) for r in rows]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench_collect")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rate", type=float, default=None, help="server limit R in requests/s (default 50; quick 20)")
    p.add_argument("--seconds", type=float, default=None, help="length of the HTTP run (default 10; quick 3)")
    p.add_argument("--records", type=int, default=None, help="records for the local run (default 20000; quick 2000)")
    a = p.parse_args(argv)
    rate, seconds, records = a.rate or (20 if a.quick else 50), a.seconds or (3 if a.quick else 10), a.records or (2000 if a.quick else 20000)
    import logging; logging.getLogger("agentic_lab").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="bench_collect_"))
    try:
        h = bench_http(rate, seconds, tmp)
        print("HTTP pacing against a loopback server limited to R requests/s (aim: fraction >= 0.9, zero 429s)")
        print(table([h]))
        print("\nLocal throughput: redact -> normalize -> write (aim: >= 5,000 records/s on one core)")
        print(table(bench_local(records, tmp)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
