"""Every tool of every synthetic world: normal use, its error paths, argument validation, state reset; and the code sandbox's walls."""
import json, os, socket, time
import pytest
from agentic_lab.core import ToolCall
from agentic_lab.synth.worlds import WORLDS, get_world, run_sandboxed, UnknownWorldError, UnknownToolError, world_names
from agentic_lab.synth.worlds_retail import build_store

def _retail(sql):
    return build_store(0).execute(sql).fetchone()[0]

# one valid call per tool, and its expected error paths: (arguments, needle in the error)
CASES = {
    "math": {
        "calculate": ({"expression": "2 * (3 + 4)"}, [({"expression": "2 ^ 3"}, "use **"), ({"expression": "1/0"}, "division by zero"),
                                                      ({"expression": "open('x')"}, "unsupported"), ({"expression": "(("}, "syntax")]),
        "describe_numbers": ({"numbers": [3, 1, 2]}, [({"numbers": []}, "non-empty"), ({"numbers": ["a"]}, "not of type")]),
        "prime_factors": ({"n": 97}, [({"n": 1}, "between 2 and"), ({"n": 2.5}, "not of type")]),
    },
    "units": {
        "convert_units": ({"value": 3, "from_unit": "mi", "to_unit": "km"}, [({"value": 1, "from_unit": "miles", "to_unit": "km"}, "unknown unit"),
                                                                              ({"value": 1, "from_unit": "kg", "to_unit": "km"}, "cannot convert")]),
        "convert_currency": ({"amount": 10, "from_currency": "USD", "to_currency": "JPY"}, [({"amount": 10, "from_currency": "USD", "to_currency": "XYZ"}, "unknown currency"),
                                                                                            ({"amount": -5, "from_currency": "USD", "to_currency": "EUR"}, "minimum")]),
        "get_exchange_rate": ({"base": "EUR", "quote": "GBP"}, [({"base": "EUR", "quote": "ZZZ"}, "unknown currency")]),
    },
    "retail": {
        "find_customer_by_email": (lambda: {"email": _retail("select email from customers")}, [({"email": "nobody@example.com"}, "no customer")]),
        "get_customer": (lambda: {"customer_id": _retail("select id from customers")}, [({"customer_id": "ghost_0"}, "not found")]),
        "get_order": (lambda: {"order_id": _retail("select id from orders")}, [({"order_id": "W123"}, "start with '#'"), ({"order_id": "#W0"}, "not found")]),
        "get_product": ({"product_id": "P100"}, [({"product_id": "P1"}, "not found")]),
        "search_products": ({"query": "home", "max_price": 100}, [({"query": "home", "max_price": -1}, "minimum")]),
        "cancel_order": (lambda: {"order_id": _retail("select id from orders where status='pending'"), "reason": "ordered by mistake"},
                         [(lambda: {"order_id": _retail("select id from orders where status='delivered'"), "reason": "ordered by mistake"}, "only pending or processing"),
                          ({"order_id": "#W1", "reason": "because"}, "is not one of")]),
        "return_order": (lambda: {"order_id": _retail("select id from orders where status='delivered'"), "reason": "defective"},
                         [(lambda: {"order_id": _retail("select id from orders where status='pending'"), "reason": "defective"}, "only delivered")]),
        "update_address": (lambda: {"customer_id": _retail("select id from customers"), "address": "9 Bay Rd, Reno"},
                           [({"customer_id": "ghost", "address": "9 Bay Rd, Reno"}, "not found"), ({"customer_id": "x", "address": "x"}, "too short")]),
    },
    "files": {
        "list_directory": ({"path": "/home/user/notes"}, [({"path": "/nope"}, "no such directory"), ({"path": "home"}, "must be absolute")]),
        "read_file": ({"path": "/home/user/todo.txt"}, [({"path": "/home/user/x.txt"}, "no such file"), ({"path": "todo.txt"}, "must be absolute")]),
        "write_file": ({"path": "/home/user/new.txt", "content": "hi"}, [({"path": "/home/user/notes", "content": "x"}, "is a directory")]),
        "delete_file": ({"path": "/home/user/todo.txt"}, [({"path": "/home/user/x.txt"}, "no such file")]),
        "move_file": ({"source": "/home/user/new.txt", "destination": "/home/user/old.txt"},
                      [({"source": "/home/user/x", "destination": "/home/user/y"}, "no such file"),
                       ({"source": "/home/user/old.txt", "destination": "/home/user/old.txt"}, "destination exists")]),
        "search_files": ({"query": "Status"}, [({"query": "S"}, "too short")]),
        "run_python": ({"code": "print(1 + 1)"}, [({"code": "while True: pass"}, "timed out")]),
    },
    "calendar": {
        "list_events": ({"date": "2025-03-04"}, [({"date": "04/03/2025"}, "YYYY-MM-DD"), ({"date": "2024-12-01"}, "no calendar")]),
        "create_event": ({"title": "Gym", "date": "2025-03-08", "start": "10:00", "end": "11:00"},
                         [({"title": "X", "date": "2025-03-08", "start": "11:00", "end": "10:00"}, "must be after"),
                          ({"title": "X", "date": "2025-03-08", "start": "25:00", "end": "26:00"}, "HH:MM")]),
        "cancel_event": ({"event_id": "E100"}, [({"event_id": "E9999"}, "not found")]),
        "find_free_slot": ({"date": "2025-03-04", "duration_minutes": 30}, [({"date": "2025-03-04", "duration_minutes": 540}, "no free"),
                                                                              ({"date": "2025-03-04", "duration_minutes": 1}, "minimum")]),
    },
    "docs": {
        "search_documents": ({"query": "parental leave weeks"}, [({"query": "x"}, "too short"), ({"query": "leave", "top_k": 50}, "maximum")]),
        "read_document": ({"doc_id": "doc-02"}, [({"doc_id": "2"}, "ids look like 'doc-02'"), ({"doc_id": "doc-99"}, "not found")]),
    },
    "market": {
        "get_weather": ({"city": "Cairo", "date": "2025-03-02"}, [({"city": "Paris", "date": "2025-03-02"}, "unknown city"),
                                                                  ({"city": "Cairo", "date": "2025-03-30"}, "use get_forecast"), ({"city": "Cairo", "date": "soon"}, "YYYY-MM-DD")]),
        "get_forecast": ({"city": "Oslo", "days": 2}, [({"city": "Oslo", "days": 8}, "maximum"), ({"city": "Rome"}, "unknown city")]),
        "get_stock_price": ({"symbol": "FLUX"}, [({"symbol": "FLX"}, "unknown symbol"), ({"symbol": "FLUX", "date": "2025-03-16"}, "weekend"),
                                                 ({"symbol": "FLUX", "date": "2024-01-02"}, "data covers")]),
        "get_stock_history": ({"symbol": "BOLT", "days": 3}, [({"symbol": "BOLT", "days": 0}, "minimum")]),
        "get_portfolio": ({}, [({"verbose": True}, "Additional properties")]),
        "buy_stock": ({"symbol": "HALO", "shares": 2}, [({"symbol": "CRUX", "shares": 10000}, "insufficient cash")]),
        "sell_stock": ({"symbol": "ECHO", "shares": 1}, [({"symbol": "ACME", "shares": 1}, "insufficient shares")]),
    },
}

def _args(a): return a() if callable(a) else a

def test_every_world_and_tool_has_cases():
    assert sorted(CASES) == sorted(WORLDS) and len(WORLDS) >= 6
    for name, cases in CASES.items():
        assert sorted(cases) == sorted(t.name for t in get_world(name).tools), name

@pytest.mark.parametrize("name", sorted(CASES))
def test_tools_normal_use_errors_and_reset(name):
    w = get_world(name, seed=0)
    initial = json.dumps(w.state(), sort_keys=True)
    for tool, (ok, errors) in CASES[name].items():
        out = json.loads(w.execute(ToolCall(tool, _args(ok))))
        assert isinstance(out, dict) and "error" not in out, (tool, out)
        for bad, needle in errors + [({**_args(ok), "bogus": 1}, "Additional properties")]:
            out = json.loads(w.execute(ToolCall(tool, _args(bad))))
            assert needle in out.get("error", ""), (tool, bad, out)
        spec = w.tool_spec(tool)
        if spec.parameters["required"]:
            assert "required property" in json.loads(w.execute(ToolCall(tool, {})))["error"]
    assert "unknown tool" in json.loads(w.execute(ToolCall("no_such_tool", {})))["error"]
    w.reset()
    assert json.dumps(w.state(), sort_keys=True) == initial
    assert json.dumps(get_world(name, seed=0).state(), sort_keys=True) == initial

def test_mutations_show_in_state_and_reset_undoes_them():
    for name, tool in [("retail", "cancel_order"), ("files", "write_file"), ("calendar", "create_event"), ("market", "buy_stock")]:
        w = get_world(name); before = w.state()
        assert "error" not in json.loads(w.execute(ToolCall(tool, _args(CASES[name][tool][0]))))
        assert w.state() != before
        w.reset(); assert w.state() == before

def test_seeds_give_different_but_reproducible_worlds():
    for name in ("retail", "files", "calendar", "units"):
        assert get_world(name, 1).state() == get_world(name, 1).state()
    assert get_world("calendar", 1).state() != get_world("calendar", 2).state()
    assert get_world("files", 1).state() != get_world("files", 2).state()

def test_config_errors_raise():
    with pytest.raises(UnknownWorldError, match="unknown world 'atlantis'"): get_world("atlantis")
    with pytest.raises(UnknownToolError, match="unknown tool 'teleport'"): get_world("retail", tools=["get_order", "teleport"])
    with pytest.raises(UnknownWorldError): world_names("math,atlantis")
    assert world_names("all") == sorted(WORLDS)

# --- the sandbox -------------------------------------------------------------------------------------------------

def test_sandbox_cannot_read_outside_its_world(tmp_path):
    secret = tmp_path / "secret.txt"; secret.write_text("s3cret")
    for code in [f"print(open({str(secret)!r}).read())", "print(open('../../../etc/passwd').read())",
                 "import os; print(os.listdir('/'))", f"import os; print(os.open({str(secret)!r}, os.O_RDONLY))",
                 "import pathlib; print(pathlib.Path('/etc/hostname').read_text())"]:
        r = run_sandboxed(code, {"/mine.txt": "ok"})
        assert r["returncode"] != 0 and "s3cret" not in r["stdout"] and "root:" not in r["stdout"], code
        assert "outside the world" in r["stderr"], (code, r["stderr"])
    r = run_sandboxed("print(open('mine.txt').read())", {"/mine.txt": "ok"})
    assert r["stdout"].strip() == "ok"

def test_sandbox_cannot_open_sockets_or_processes():
    for code in ["import socket; socket.socket()", "import _socket", "import subprocess", "import os; os.system('true')",
                 "import os; os.fork()", "import ctypes", "__import__('socket').create_connection(('127.0.0.1', 9))"]:
        r = run_sandboxed(code)
        assert r["returncode"] != 0 and "not allowed" in r["stderr"], (code, r["stderr"])

def test_sandbox_cannot_outlive_its_time_limit():
    t0 = time.monotonic()
    r = run_sandboxed("import time\nwhile True: time.sleep(0.01)", timeout=1.0)
    assert r["timed_out"] and time.monotonic() - t0 < 5
    r = run_sandboxed("while True: pass", timeout=1.0)
    assert r["timed_out"] or r["returncode"] != 0

def test_sandbox_memory_limit():
    r = run_sandboxed("x = bytearray(2 * 1024**3)", memory_mb=256)
    assert r["returncode"] != 0 and "MemoryError" in r["stderr"]

def test_files_world_code_tool_stays_inside(tmp_path):
    w = get_world("files")
    out = json.loads(w.execute(ToolCall("run_python", {"code": "import os\nprint(sorted(os.listdir('home/user')))"})))
    assert "todo.txt" in out["stdout"]
    out = json.loads(w.execute(ToolCall("run_python", {"code": "open('/tmp/escape.txt','w').write('x')"})))
    assert out["returncode"] != 0 and "outside the world" in out["stderr"] and not os.path.exists("/tmp/escape.txt")
    assert set(w.files) == set(get_world("files").files)

def _landlock_abi() -> int:
    try:
        import ctypes
        sc = ctypes.CDLL(None, use_errno=True).syscall; sc.restype = ctypes.c_long
        return max(sc(ctypes.c_long(444), None, ctypes.c_long(0), ctypes.c_long(1)), 0) if os.uname().sysname == "Linux" else 0
    except (OSError, AttributeError):
        return 0

@pytest.mark.skipif(_landlock_abi() < 4, reason="the kernel has no Landlock with network rules here")
def test_sandbox_kernel_layer_holds_without_the_audit_hook(tmp_path):
    # the runner with a hook that allows everything: what is left is the kernel's doing (Landlock, network namespace)
    import subprocess, sys
    from agentic_lab.synth.worlds import _RUNNER, _limits, _unshare
    secret = tmp_path / "secret.txt"; secret.write_text("s3cret")
    root = tmp_path / "world"; root.mkdir()
    code = (f"import os, socket\nfor p in ({str(secret)!r}, '/etc/hostname'):\n    try: print(open(p).read())\n"
            "    except OSError as e: print('refused', e.errno)\n"
            "pid = os.fork()\nif pid == 0:\n    try: os.execv('/bin/cat', ['/bin/cat', '/etc/hostname'])\n    finally: os._exit(255)\n"
            "print('child exit', os.waitpid(pid, 0)[1] >> 8)\n"
            "s = socket.socket(); s.settimeout(1)\ntry: s.connect(('127.0.0.1', 9))\nexcept OSError as e: print('connect refused', e.errno)\n"
            "open('mine.txt', 'w').write('ok'); print(open('mine.txt').read())")
    r = subprocess.run([sys.executable, "-I", "-S", "-c", _RUNNER, str(root), "", "def hook(event, args): pass"], input=code, text=True,
                       capture_output=True, cwd=root, env={}, preexec_fn=_limits(256, 5, _unshare()), timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:2] == ["refused 13", "refused 13"] and lines[2] == "child exit 255", r.stdout   # exec refused in the child
    assert lines[3].startswith("connect refused") and lines[4] == "ok", r.stdout
