"""The report in a real browser: headless Chromium from Debian (``/usr/bin/chromium``).

Driven from the standard library only: ``--dump-dom`` and ``--screenshot`` through the command
line, and clicks / console errors / dialogs through the DevTools protocol over a tiny WebSocket
client written here (no third-party websocket package needed). Skips, with the reason, only when
no Chromium binary is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from jinlong_extract.report import build_report
from test_report import ARTICLE_X, IMG, JSLINK, XSS, build_sample_output

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium); browser test skipped"),
]

#: flags that keep a headless run quiet, offline and independent of any profile
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("browser")
    data = build_sample_output(root)
    data["path"] = build_report(data["out"])
    data["profile"] = root / "profile"
    return data


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------- command line


def test_dump_dom_shows_the_script_ran(report, tmp_path):
    done = _run([f"--user-data-dir={tmp_path / 'p'}", "--dump-dom", report["path"].as_uri()])
    assert done.returncode == 0, done.stderr[-2000:]
    body = re.search(r"<body[^>]*>", done.stdout).group(0)
    assert 'data-ready="1"' in body
    assert re.search(r'id="rcount"[^>]*>8 / 8 rows<', done.stdout)  # the table script wired up


def test_screenshot_is_taken(report, tmp_path):
    shot = tmp_path / "report.png"
    done = _run([f"--user-data-dir={tmp_path / 'p'}", f"--screenshot={shot}", "--window-size=1280,2000",
                 "--hide-scrollbars", report["path"].as_uri()])
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1280, 2000)
    assert len(png) > 30_000  # a real page, not a blank canvas (a blank 1280x2000 PNG is ~10 kB)


# --------------------------------------------------------------------------- DevTools protocol


class DevTools:
    """A minimal DevTools-protocol client over a stdlib WebSocket (RFC 6455, client side)."""

    def __init__(self, ws_url: str, timeout: float = 20.0) -> None:
        u = urlparse(ws_url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        head, self._buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode(errors="replace"))
        self._id = 0
        self.events: list[dict] = []

    def _read(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("DevTools connection closed")
            self._buf += chunk
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode])
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _message(self) -> dict:
        parts = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the connection")
            parts += payload
            if b0 & 0x80:
                return json.loads(parts.decode("utf-8"))

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self._send_frame(0x1, json.dumps({"id": self._id, "method": method, "params": params}).encode())
        while True:
            msg = self._message()
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while time.monotonic() < deadline:
            msg = self._message()
            self.events.append(msg)
            if msg.get("method") == method:
                return msg
        raise TimeoutError(method)

    def js(self, expression: str):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def until(self, expression: str, expected, timeout: float = 5.0):
        """Poll ``expression`` until it gives ``expected`` (events such as hashchange are async)."""
        deadline = time.monotonic() + timeout
        value = self.js(expression)
        while value != expected and time.monotonic() < deadline:
            time.sleep(0.05)
            value = self.js(expression)
        return value

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the first element matching ``selector``."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
            " const r = e.getClientRects()[0], x = r.left + r.width / 2, y = r.top + r.height / 2;"
            " const hit = document.elementFromPoint(x, y); return [x, y, !!hit && (e === hit || e.contains(hit))]; })()")
        x, y, visible = box
        assert visible, f"{selector} is covered by another element"  # a user could not click it either
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def errors(self) -> list[str]:
        out = []
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails", {}), ensure_ascii=False)[:500])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(json.dumps(p.get("args"), ensure_ascii=False)[:500])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(p["entry"].get("text", "")[:500])
        return out

    def dialogs(self) -> list[dict]:
        return [ev for ev in self.events if ev.get("method") == "Page.javascriptDialogOpening"]

    def close(self) -> None:
        self.sock.close()


def _drain(stream) -> None:
    """Read Chromium's log until it exits, then close the pipe (this thread owns it from now on)."""
    try:
        while os.read(stream.fileno(), 65536):
            pass
    finally:
        stream.close()


@pytest.fixture(scope="module")
def page(report, tmp_path_factory):
    profile = tmp_path_factory.mktemp("profile")
    proc = subprocess.Popen([CHROMIUM, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
                             "--window-size=1280,1000", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    drain = None
    try:
        port = None
        seen = b""
        fd = proc.stderr.fileno()
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                break  # Chromium exited, or said nothing before the deadline: fail instead of hanging
            seen += chunk
            m = re.search(rb"DevTools listening on ws://[^:]+:(\d+)/", seen)
            if m:
                port = int(m.group(1))
        # keep reading its log so a full pipe can never block Chromium
        drain = threading.Thread(target=_drain, args=(proc.stderr,), daemon=True)
        drain.start()
        assert port, "chromium did not start its DevTools endpoint"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        ws = next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")
        dt = DevTools(ws)
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            dt.call(domain)
        dt.call("Page.navigate", url=report["path"].as_uri())
        dt.wait_for("Page.loadEventFired")
        for _ in range(100):
            if dt.js("document.body.getAttribute('data-ready')") == "1":
                break
            time.sleep(0.05)
        yield dt
        dt.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drain is not None:
            drain.join(timeout=10)
        else:
            proc.stderr.close()


def test_page_loads_without_console_errors(page):
    assert page.js("document.body.getAttribute('data-ready')") == "1"
    assert page.errors() == []


def test_clicking_a_highlight_shows_its_details(page, report):
    fact = report["facts"][4]  # 超过2000家, a lower bound
    page.click(f'[id="f-{fact.id}"]')
    shown = page.js("""(() => ({
        hidden: document.getElementById('details').hidden,
        text: document.getElementById('d-text').textContent,
        kind: document.getElementById('d-kind').textContent,
        value: document.getElementById('d-value').textContent,
        interval: document.getElementById('d-interval').textContent,
        metric: document.getElementById('d-metric').textContent,
        selected: document.querySelector('mark.selected').id }))()""")
    assert shown == {"hidden": False, "text": "超过2000家", "kind": "count", "value": "2000家", "interval": "≥ 2000家",
                     "metric": "参会企业数 (累计)", "selected": f"f-{fact.id}"}


def test_hovering_a_highlight_names_its_value(page, report):
    fact = report["facts"][4]
    assert page.js(f"document.getElementById({json.dumps('f-' + fact.id)}).title") == \
        "count · 2000家 · min ≥ 2000家 · 参会企业数"


def test_details_link_to_the_reconciled_row(page, report):
    fact = report["facts"][1]  # 149.53亿元, row R2
    page.click(f'[id="f-{fact.id}"]')
    assert page.js("document.getElementById('d-year').textContent") == "2024"
    page.click("#d-rec a")
    assert page.js("decodeURIComponent(location.hash)") == "#r-R2"
    assert page.js("document.querySelector('tr:target').id") == "r-R2"


def test_reconciled_source_link_jumps_to_its_highlight(page, report):
    src = report["reconciled"][6].sources[0]  # R7 -> b.txt 148.31亿元
    page.js("window.scrollTo(0, 0)")
    page.call("Input.dispatchKeyEvent", type="keyDown", key="Escape", code="Escape", windowsVirtualKeyCode=27)
    assert page.js("document.getElementById('details').hidden") is True  # Escape closes the details panel
    page.click(f'#rtable tr[id="r-R7"] td.srcs a')
    assert page.js("decodeURIComponent(location.hash)") == f"#f-{src.fact_id}"
    page.until("document.getElementById('d-text').textContent", "148.31亿元")
    where = page.js(f"""(() => {{ const m = document.getElementById({json.dumps('f-' + src.fact_id)});
        const r = m.getBoundingClientRect();
        return {{target: m.matches(':target'), inView: r.top >= 0 && r.bottom <= innerHeight,
                 text: m.textContent, panel: document.getElementById('d-text').textContent}}; }})()""")
    assert where == {"target": True, "inView": True, "text": "148.31亿元", "panel": "148.31亿元"}


def test_series_point_links_to_its_source(page, report):
    point = report["series"][4]  # 670.35亿元
    page.click(f'svg a.ptlink[href="#f-{point.fact_ids[0].replace("#", "%23")}"] circle')
    assert page.js("decodeURIComponent(location.hash)") == f"#f-{point.fact_ids[0]}"


@pytest.mark.parametrize("query,kind,conflicts,shown", [
    ("", "", False, 8), ("合作总额", "", False, 2), ("", "count", False, 3), ("", "", True, 1),
    ("b.txt", "money", False, 2), ("没有这一行", "", False, 0),
])
def test_reconciled_table_filters(page, query, kind, conflicts, shown):
    got = page.js(f"""(() => {{
        const q = document.getElementById('rfilter'), k = document.getElementById('rkind'),
              c = document.getElementById('rconf');
        q.value = {json.dumps(query)}; k.value = {json.dumps(kind)}; c.checked = {json.dumps(conflicts)};
        q.dispatchEvent(new Event('input'));
        const n = [...document.querySelectorAll('#rtable tbody tr')].filter(r => !r.hidden).length;
        q.value = ''; k.value = ''; c.checked = false; q.dispatchEvent(new Event('input'));
        return n; }})()""")
    assert got == shown


def test_reconciled_table_sorts_by_value(page):
    page.click("#rtable thead th:nth-child(6)")  # value, ascending
    up = page.js("[...document.querySelectorAll('#rtable tbody tr')].map(r => r.id)")
    page.click("#rtable thead th:nth-child(6)")  # descending
    down = page.js("[...document.querySelectorAll('#rtable tbody tr')].map(r => r.id)")
    # 112个, 168个, 320个, 20亿元, 148.31亿元, 149.53亿元, 441.1亿元, 670.35亿元
    assert up == ["r-R1", "r-R4", "r-R3", "r-R8", "r-R7", "r-R2", "r-R6", "r-R5"]
    assert down == list(reversed(up))


def test_hostile_article_runs_nothing(page):
    state = page.js("""(() => ({
        text: document.getElementById('doc-2').querySelector('.text').textContent,
        imgs: document.querySelectorAll('main img').length,
        scripts: document.scripts.length,
        jsLinks: [...document.querySelectorAll('a')].filter(a => (a.getAttribute('href') || '').trim().toLowerCase().startsWith('javascript:')).length }))()""")
    for raw in (XSS, IMG, JSLINK):
        assert raw in state["text"]
    assert (state["imgs"], state["scripts"], state["jsLinks"]) == (0, 2, 0)
    assert page.dialogs() == []
    assert page.errors() == []
    assert ARTICLE_X.splitlines()[0] in state["text"]
