"""Headless Chromium driven through its own DevTools protocol over a pipe: start it, print pages to PDF, stop it.

For printing two local pages this is all the build needs from a browser driver, and it costs no driver process:
Playwright starts a Node.js driver (about 0.3 s) before the browser; here Python writes the protocol's JSON
messages to the pipe Chromium reads (`--remote-debugging-pipe`: commands on its fd 3, replies on its fd 4).
`chromium --print-to-pdf` needs no driver either, but it starts one browser per page and has no option for
paper size or tagging beyond the defaults.
"""
from __future__ import annotations

import base64
import json
import os
import select
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

# Blocking on a dead or hung browser would hang the build: every reply has this long to come.
REPLY_SECONDS = 60.0


class BrowserError(Exception):
    """Chromium did not start, crashed, or answered a command with an error."""


class Chromium:
    """One headless Chromium; `with Chromium(path, args) as browser: browser.print_pdf(page, target, options)`."""

    def __init__(self, executable: str, args: list[str]):
        self.executable = executable
        self.args = args
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.allowed_prefix = "file:///nothing-yet/"  # the folder of the page being printed
        self.refused: list[str] = []

    def __enter__(self) -> "Chromium":
        self.profile = tempfile.TemporaryDirectory(prefix="calcguide-chromium-")
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()
        devnull = os.open(os.devnull, os.O_RDWR)
        argv = [self.executable, "--headless", "--remote-debugging-pipe", f"--user-data-dir={self.profile.name}",
                *self.args, "about:blank"]
        try:
            self.pid = os.posix_spawn(self.executable, argv, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2),
                (os.POSIX_SPAWN_DUP2, commands_read, 3), (os.POSIX_SPAWN_DUP2, replies_write, 4)])
        except OSError as exc:
            raise BrowserError(f"cannot start {self.executable}: {exc}") from None
        finally:
            for fd in (commands_read, replies_write, devnull):
                os.close(fd)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.send("Browser.close")
        except (BrowserError, OSError):
            os.kill(self.pid, signal.SIGKILL)
        finally:
            os.waitpid(self.pid, 0)
            os.close(self.commands)
            os.close(self.replies)
            self.profile.cleanup()

    # --- the protocol -----------------------------------------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send a command and wait for its reply; events that arrive meanwhile are kept in `self.events`."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        wanted = self.next_id  # commands posted while waiting take later ids
        reply = self._receive(lambda item: item.get("id") == wanted)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(index)
        return self._receive(lambda item: item.get("method") == method and item.get("sessionId") == session)

    def _receive(self, wanted) -> dict[str, Any]:  # noqa: ANN001 - a predicate on a message
        deadline = time.monotonic() + REPLY_SECONDS
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                item = json.loads(raw)
                if wanted(item):
                    return item
                self._handle(item)
            if not select.select([self.replies], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise BrowserError(f"Chromium did not answer within {REPLY_SECONDS:.0f} s")
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the connection (it crashed or could not start)")
            self.buffer += chunk

    def _handle(self, item: dict[str, Any]) -> None:
        # Requests are paused while Fetch is on: the page and the files of its own folder load; anything else
        # (the network, another file of the machine) is refused, never fetched, and reported.
        if item.get("method") == "Fetch.requestPaused":
            params, session = item["params"], item.get("sessionId")
            url = params["request"]["url"]
            allowed = url.startswith(self.allowed_prefix) and "/../" not in url and "?" not in url
            if not allowed:
                self.refused.append(url)
            self._post("Fetch.continueRequest" if allowed else "Fetch.failRequest",
                       {"requestId": params["requestId"]} | ({} if allowed else {"errorReason": "BlockedByClient"}),
                       session)
        elif "method" in item:
            self.events.append(item)

    def _post(self, method: str, params: dict[str, Any], session: str | None) -> None:
        """A command whose reply nobody waits for (it is dropped when it comes)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params, "sessionId": session}
        os.write(self.commands, json.dumps(message).encode() + b"\0")

    # --- what the build does with it -----------------------------------------------------------------------------

    def print_pdf(self, page: Path, target: Path, options: dict[str, Any]) -> None:
        """Open a local page in a new tab that sees only the page's own folder and runs no script, and print it.
        A request for anything else is refused and fails the print (BrowserError naming it)."""
        self.allowed_prefix = page.parent.resolve().as_uri() + "/"
        self.refused = []
        target_id = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})["sessionId"]
        try:
            self.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
            self.send("Emulation.setScriptExecutionDisabled", {"value": True}, session)
            self.send("Page.enable", {}, session)
            self.send("Page.navigate", {"url": page.as_uri()}, session)
            self.wait_event("Page.loadEventFired", session)
            result = self.send("Page.printToPDF", options, session)
            if self.refused:
                raise BrowserError(f"{page.name} asked for what is outside its folder, refused: "
                                   + ", ".join(sorted(set(self.refused)))[:500])
            target.write_bytes(base64.b64decode(result["data"]))
        finally:
            self.send("Target.closeTarget", {"targetId": target_id})
