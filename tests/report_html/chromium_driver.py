"""Driving the system's headless Chromium: a DOM dump, a screenshot, or a DevTools session.

Tests and the HTML report benchmark use it; nothing here is part of sdg-ci. A DevTools
session speaks the protocol over `--remote-debugging-pipe` (fds 3 and 4, messages ended by
a NUL byte), so it needs no port and no websocket library.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    override = os.environ.get("SDG_CI_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    return next((path for path in map(shutil.which, NAMES) if path), None)


def base_args(chromium: str, profile: str) -> list[str]:
    args = [chromium, "--headless", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--mute-audio",
            f"--user-data-dir={profile}"]
    if os.geteuid() == 0:  # Chromium refuses to sandbox as root (CI containers)
        args.append("--no-sandbox")
    return args


def page_url(path: Path, fragment: str = "") -> str:
    return Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(chromium: str, path: Path, fragment: str = "", budget_ms: int = 5000,
             timeout_s: float = 60) -> str:
    """The page's DOM after its scripts ran (virtual time lets them finish)."""
    with tempfile.TemporaryDirectory(prefix="sdg-ci-chromium-") as profile:
        result = subprocess.run(
            [*base_args(chromium, profile), f"--virtual-time-budget={budget_ms}",
             "--dump-dom", page_url(path, fragment)],
            capture_output=True, text=True, timeout=timeout_s, check=True)
    return result.stdout


def screenshot(chromium: str, path: Path, png: Path, fragment: str = "",
               size: tuple[int, int] = (1400, 2000), timeout_s: float = 60) -> Path:
    with tempfile.TemporaryDirectory(prefix="sdg-ci-chromium-") as profile:
        subprocess.run(
            [*base_args(chromium, profile), "--virtual-time-budget=5000", "--hide-scrollbars",
             f"--window-size={size[0]},{size[1]}", f"--screenshot={Path(png).resolve()}",
             page_url(path, fragment)],
            capture_output=True, timeout=timeout_s, check=True)
    return Path(png)


class DevTools:
    """A minimal DevTools protocol session with one page (context manager)."""

    def __init__(self, chromium: str):
        self._profile = tempfile.TemporaryDirectory(prefix="sdg-ci-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # park both child ends above 4 first, so placing them at 3 and 4 cannot clobber one
        high = [os.dup2(fd, 100 + i) for i, fd in enumerate((to_chrome_r, from_chrome_w))]
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def place() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [*base_args(chromium, self._profile.name), "--remote-debugging-pipe",
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=place, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        for fd in high:
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.session: str | None = None

    def __enter__(self) -> DevTools:
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"],
                                 flatten=True)["sessionId"]
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.call("Browser.close", _session=False)
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._profile.cleanup()

    def _read_message(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, _session: bool = True, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if _session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")
