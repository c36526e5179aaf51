"""Starting and stopping the preview: the socket, uvicorn, the watcher, the export thread.

uvicorn runs in this thread; Ctrl-C (SIGINT) and SIGTERM ask every part to stop
at once: uvicorn closes its connections, the event streams end so no open page
holds it, the watcher stops, and the export thread stops after the output it is
making, or, when that takes more than a moment, abandons it where it is (outputs
are written whole or not at all: dist/ keeps the last version, which the next
run makes again).  The process then runs its exit handlers, which remove its
temporary folders, and ends with status 0 (the signal is not raised again,
uvicorn's own habit).  Whatever a thread is still doing :data:`STOP_SECONDS`
after the signal, the process ends then.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from briefkit.errors import BriefkitError

if TYPE_CHECKING:
    import uvicorn

    from briefkit.engine.project import Project

#: From Ctrl-C (or SIGTERM) to the end of the process, whatever its threads are doing.
STOP_SECONDS = 1.0
#: How long the output being made may take to finish before it is abandoned.
GRACE_SECONDS = 0.4
#: What the process keeps of STOP_SECONDS to end normally (its exit handlers).
EXIT_SECONDS = 0.25
#: Before STOP_SECONDS, the moment a process still there is ended outright: the rest is
#: what the system takes to end it.
END_MARGIN = 0.1


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, or one clear line when the address cannot be used."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise BriefkitError(f"cannot listen on {host}:{port} ({error})") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        hint = "; choose another with --port" if error.errno == 98 else ""
        raise BriefkitError(f"cannot listen on {host}:{port} ({error.strerror}){hint}") \
            from None
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _server(app: Callable[..., Any], on_exit: Callable[[], None]) -> uvicorn.Server:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn, stopping on SIGINT and SIGTERM without raising the signal again."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            handled = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            on_exit()
            super().handle_exit(sig, frame)

    from briefkit.serve.connection import Connection

    # a stop cuts answers still being sent (event streams end at once)
    config = uvicorn.Config(app, http=Connection, log_level="warning", access_log=False,
                            lifespan="off", log_config=None, timeout_graceful_shutdown=0,
                            timeout_keep_alive=2)
    return Server(config)


class _Stop:
    """A stop of the preview, asked by Ctrl-C or SIGTERM, and its timeline: every part
    asked at once; the export abandoned after :data:`GRACE_SECONDS` if it is still
    running; the process ended at :data:`STOP_SECONDS` if it is still there."""

    def __init__(self, ask: Callable[[], None], abandon: Callable[[], None]) -> None:
        self._ask, self._abandon = ask, abandon
        self.by: float | None = None  # a time.monotonic()
        self._lock = threading.Lock()

    def __call__(self) -> None:
        """Ask every part to stop; safe to call from a signal handler, more than once."""
        if not self._lock.acquire(blocking=False):
            return  # a signal while the stop was being asked: it is
        try:
            if self.by is None:
                self.by = time.monotonic() + STOP_SECONDS
                threading.Thread(target=self._timeline, args=(self.by,), name="briefkit-stop",
                                 daemon=True).start()
            self._ask()
        finally:
            self._lock.release()

    @property
    def left(self) -> float:
        """The time the parts have left to stop, keeping what the process needs to end."""
        if self.by is None:
            return 0.0
        return max(0.0, self.by - EXIT_SECONDS - time.monotonic())

    def _timeline(self, by: float) -> None:
        time.sleep(max(0.0, by - STOP_SECONDS + GRACE_SECONDS - time.monotonic()))
        self._abandon()
        time.sleep(max(0.0, by - END_MARGIN - time.monotonic()))
        # still here: a thread is stuck in a call nothing interrupts (a read that hangs)
        _end(0, wait=False)


#: Held by whoever ends the process.
_ending = threading.Lock()


def _end(code: int, wait: bool = True) -> NoReturn:
    """End the process: the exit handlers run (this process's temporary folders go), and
    Python's own teardown is skipped: with WeasyPrint loaded it takes over a second, and
    nothing of it is needed.  Without ``wait``, when another thread is ending the process
    already, it ends at once, removing this process's temporary folders first (the exit
    handlers may be waiting on a thread that never comes back)."""
    from briefkit.engine.scratch import remove_open

    if _ending.acquire(blocking=wait):
        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()
    with contextlib.suppress(Exception):
        remove_open()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def serve(project: Project, *, host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False) -> NoReturn:
    """Export what is out of date, serve the output folder and keep it up to date, until
    Ctrl-C or SIGTERM; the process ends with it, within :data:`STOP_SECONDS`.

    ``project`` was opened as export opens it: an output folder export refuses is
    refused before anything listens, and never served."""
    from briefkit.engine.project import display_path
    from briefkit.engine.warm import WarmProject
    from briefkit.serve.app import Preview, application
    from briefkit.serve.events import Channel
    from briefkit.serve.rebuild import Rebuilder
    from briefkit.serve.watch import Watcher

    engine = WarmProject(project)
    output = project.output
    sock = _listen(host, port)
    channel = Channel()
    rebuilder = Rebuilder(engine, channel.announce, _say)
    watcher = Watcher(project.root.resolve(), project.source, output, rebuilder.submit, _say)
    preview = Preview(engine, rebuilder, channel)

    def ask() -> None:
        channel.close()
        watcher.ask_to_stop()
        rebuilder.ask_to_stop()

    stop = _Stop(ask, rebuilder.abandon)
    server = _server(application(preview, host), stop)
    url = _url(sock, host)
    print(f"serving {display_path(output)}/ at {url} (previews at {url}_preview/); "
          "Ctrl-C to stop", flush=True)
    try:
        rebuilder.start()
        watcher.start()
        if open_browser:
            webbrowser.open(f"{url}_preview/")
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        stop()  # Ctrl-C before uvicorn took the signals over: the same stop
    finally:
        ask()  # also when the server ended by itself
        watcher.stop(stop.left)
        rebuilder.stop(stop.left)
        sock.close()
    _say("stopped")
    _end(0)
