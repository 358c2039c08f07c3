"""The human panel served by Voilà on 127.0.0.1 and driven by keyboard in headless Chromium: rate three items, reload, resume at the fourth."""
import os, shutil, signal, socket, subprocess, sys, tempfile, time
from pathlib import Path
import pytest
from selenium.common.exceptions import WebDriverException
from agentic_lab.core import Message, ToolCall, Trajectory
from agentic_lab.human.store import HumanStore

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


def _wait_port(port: int, proc, timeout: float = 90):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise RuntimeError(f"voila exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0: return
        time.sleep(0.3)
    raise TimeoutError(f"voila did not listen on 127.0.0.1:{port}")


@pytest.fixture
def store_path(tmp_path):
    trajs = [Trajectory(source="demo", source_id=f"item{i}", source_url=f"https://example.org/{i}", messages=[
        Message("user", f"Convert {i} EUR to USD."),
        Message("assistant", "I will look up the rate.", [ToolCall("fx_rate", {"from": "EUR", "to": "USD"})]),
        Message("tool", '{"rate": 1.1}'), Message("assistant", f"{i} EUR is {i * 1.1:.2f} USD.")]) for i in range(6)]
    p = tmp_path / "annotations.db"
    with HumanStore(p) as st: st.add_items(trajs, model="m1")
    return p


@pytest.fixture
def voila(store_path, tmp_path):
    port = _free_port()
    env = {**os.environ, "AGENTIC_LAB_HUMAN_DB": str(store_path), "AGENTIC_LAB_ANNOTATOR": "alice", "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    voila_bin = Path(sys.executable).parent / "voila"
    proc = subprocess.Popen([str(voila_bin), str(ROOT / "nbs" / "human_panel.ipynb"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                             "--ServerApp.ip=127.0.0.1", "--Voila.tornado_settings={'disable_check_xsrf': True}"],
                            cwd=str(tmp_path), env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "voila.log", "w"), start_new_session=True)
    try:
        _wait_port(port, proc); yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try: proc.wait(15)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions(); opts.binary_location = CHROMIUM
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chrome'}", "--window-size=1400,1000"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try: yield d
    finally: d.quit()


def _text(d, css):
    els = d.find_elements("css selector", css)
    return els[0].text if els else ""


def _until(pred, timeout=60, what=""):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            if pred(): return
        except WebDriverException:  # an element re-rendered under us (stale): poll again
            pass
        time.sleep(0.25)
    raise TimeoutError(f"timed out waiting for {what}")


@pytest.mark.timeout(300)
def test_rate_three_by_keyboard_reload_resumes(voila, browser, store_path, tmp_path):
    d = browser
    d.get(voila)
    _until(lambda: "1 of 6" in _text(d, ".al-progress"), 120, "the panel at item 1")
    for n in range(3):
        box = d.find_element("css selector", ".al-keys textarea")
        box.click()
        for k in "4355":
            box.send_keys(k); time.sleep(0.35)
        box.send_keys("\n")
        _until(lambda: f"{n + 2} of 6" in _text(d, ".al-progress"), 30, f"item {n + 2}")
    with HumanStore(store_path) as st:
        labels = st.labels(annotator="alice")
        order = [i["id"] for i in st.items()]
    assert len(labels) == 3
    assert [l["item_id"] for l in labels] == order[:3]
    assert all(l["ratings"] == {"task_success": 4, "tool_use": 3, "reasoning": 5, "safety": 5} for l in labels)
    d.refresh()
    _until(lambda: "4 of 6" in _text(d, ".al-progress"), 120, "the resumed panel at item 4")
    assert "Convert 3 EUR" in _text(d, ".al-panel")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for out in (ARTIFACTS / "human_panel.png", tmp_path / "human_panel.png"):
        d.save_screenshot(str(out)); assert out.stat().st_size > 1000


@pytest.mark.timeout(300)
def test_pairwise_mode_hides_models_until_submitted(voila, browser, tmp_path):
    db = tmp_path / "pairs.db"
    with HumanStore(db) as st:
        for model, answer in (("model-alpha", "Paris."), ("model-beta", "Lyon.")):
            st.add_items([Trajectory(source="demo", source_id=f"q{i}", messages=[Message("user", f"Capital of France? ({i})"), Message("assistant", answer)])
                          for i in range(3)], model=model)
    d = browser
    d.get(f"{voila}?mode=pairwise&annotator=bob&db={db}")
    _until(lambda: "1 of 3" in _text(d, ".al-progress"), 120, "the pairwise panel")
    panel = _text(d, ".al-panel")
    assert "Response A" in panel and "Response B" in panel and "model-alpha" not in panel and "model-beta" not in panel
    box = d.find_element("css selector", ".al-keys textarea"); box.click()
    box.send_keys("b"); time.sleep(0.35); box.send_keys("\n")
    _until(lambda: "2 of 3" in _text(d, ".al-progress"), 30, "the second pair")
    assert "A was" in _text(d, ".al-status") and "model-alpha" in _text(d, ".al-status")
    with HumanStore(db) as st:
        prefs = st.preferences(annotator="bob")
    assert len(prefs) == 1
    p = prefs[0]
    right = p["item_b"] if p["left_item"] == p["item_a"] else p["item_a"]  # "b" chose the right-hand response
    assert p["winner"] == ("a" if right == p["item_a"] else "b")
