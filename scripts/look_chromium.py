"""Full-page screenshots in headless Chromium, for scripts/look.

Chromium's own `--screenshot` draws one window, so a page longer than the window is cut. This
drives the browser through the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
messages ended by a NUL byte, Chromium reading on file descriptor 3 and writing on 4), which
needs nothing beyond the standard library: set the width, load the page, wait for its fonts
and images, measure its height, and capture it in bands, scrolling, pasted into one image.
"""

from __future__ import annotations

import base64
import io
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any, Self

from PIL import Image

BAND = 4000  # the height captured at a time: very tall captures come back blank in some versions
HEIGHT = {390: 844}  # the window height at a width (a phone's); 800 for anything wider
TIMEOUT = 60.0


class BrowserError(Exception):
    """Chromium stopped, answered with an error or did not answer in time."""


class Browser:
    """One headless Chromium, with its own profile in ``profile`` (so runs never share one);
    ``screenshot`` as often as needed, then close (or use as a context manager)."""

    def __init__(self, profile: Path, env: dict[str, str]) -> None:
        self.profile = profile
        self.env = env
        self.counter = 0
        self.pending = b""

    def __enter__(self) -> Self:
        to_chromium, self.commands = os.pipe()
        self.answers, from_chromium = os.pipe()

        def descriptors() -> None:  # in the child: its ends of the pipes on 3 and 4
            reading, writing = os.dup(to_chromium), os.dup(from_chromium)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--hide-scrollbars", f"--user-data-dir={self.profile}",
             "--remote-debugging-pipe", "about:blank"],
            # the script starts no threads, so running code between fork and exec is safe
            preexec_fn=descriptors, close_fds=False, env=self.env,  # noqa: PLW1509
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium)
        os.close(from_chromium)
        target = self.send("Target.createTarget", session=False, url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", session=False, targetId=target,
                                 flatten=True)["sessionId"]
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.send("Browser.close", session=False)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.commands)
        os.close(self.answers)

    def send(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        """Send one command (to the page's session unless ``session`` is false); its result."""
        self.counter += 1
        message: dict[str, Any] = {"id": self.counter, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" not in self.pending:
                if not select.select([self.answers], [], [], max(0, deadline - time.monotonic()))[0]:
                    raise BrowserError(f"Chromium did not answer {method} in {TIMEOUT:.0f} s")
                chunk = os.read(self.answers, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium stopped during {method}")
                self.pending += chunk
            raw, self.pending = self.pending.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.counter:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer["result"]  # type: ignore[no-any-return]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page, promises awaited."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, url: str, width: int, target: Path) -> None:
        """The whole page at ``url``, ``width`` CSS pixels wide (one pixel each), as PNG."""
        self.send("Emulation.setDeviceMetricsOverride", width=width,
                  height=HEIGHT.get(width, 800), deviceScaleFactor=1, mobile=False)
        self.send("Page.enable")
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not finish loading")
            time.sleep(0.1)
        height = self._height()
        # a window as tall as a band, scrolled band by band: capturing beyond the window
        # instead lays the whole page out again for every band (seconds each on a long page)
        band = min(BAND, height)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=band,
                  deviceScaleFactor=1, mobile=False)
        height = self._height()
        page = Image.new("RGB", (width, height), "white")
        for top in range(0, height, band):
            y = min(top, height - band)
            scrolled = self.evaluate(f"window.scrollTo(0, {y}); new Promise(done => "
                                     "requestAnimationFrame(() => done(window.scrollY)))")
            if scrolled == y:
                shot = self.send("Page.captureScreenshot", format="png")
            else:  # a page that does not scroll: draw the band beyond the window
                shot = self.send("Page.captureScreenshot", format="png",
                                 captureBeyondViewport=True,
                                 clip={"x": 0, "y": y, "width": width,
                                       "height": min(band, height - y), "scale": 1})
            with Image.open(io.BytesIO(base64.b64decode(shot["data"]))) as image:
                page.paste(image.convert("RGB"), (0, y))
        page.save(target)

    def _height(self) -> int:
        return int(self.evaluate(
            "document.fonts.ready.then(() => Math.ceil(Math.max("
            "document.documentElement.scrollHeight, document.body.scrollHeight)))"))
