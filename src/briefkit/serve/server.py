"""Starting and stopping the preview: the socket, uvicorn, the watcher, the export thread.

uvicorn runs in this thread; Ctrl-C (SIGINT) and SIGTERM ask it to stop, end
the event streams so no open page holds it, then the watcher stops and the
export thread finishes the output it is writing.  The signal is not raised
again afterwards (uvicorn's own habit), so the process ends normally and its
exit handlers remove WeasyPrint's temporary font folders.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from briefkit.config import Settings
from briefkit.errors import BriefkitError
from briefkit.themes import Theme

if TYPE_CHECKING:
    import uvicorn


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

    config = uvicorn.Config(app, http=Connection, log_level="warning", access_log=False,
                            lifespan="off", log_config=None, timeout_graceful_shutdown=3,
                            timeout_keep_alive=2)
    return Server(config)


def serve(root: Path, settings: Settings, theme: Theme, *, host: str = "127.0.0.1",
          port: int = 8000, open_browser: bool = False) -> int:
    """Export what is out of date, serve the output folder and keep it up to date."""
    from briefkit.engine import output_folder
    from briefkit.load import display_path
    from briefkit.serve.app import Preview, application
    from briefkit.serve.briefings import Briefings
    from briefkit.serve.events import Channel
    from briefkit.serve.rebuild import Rebuilder
    from briefkit.serve.watch import Watcher

    root = root.resolve()
    # export's own rule, before anything listens: a folder it refuses is never served
    output = output_folder(settings)
    sock = _listen(host, port)
    channel = Channel()
    briefings = Briefings(settings.source_dir)
    rebuilder = Rebuilder(root, settings, theme, briefings, channel.announce, _say)
    watcher = Watcher(root, settings.source_dir, settings.output_dir, rebuilder.submit, _say)
    preview = Preview(lambda: rebuilder.settings.output_dir,
                      lambda: rebuilder.settings.source_dir, rebuilder, briefings, channel)
    server = _server(application(preview, host), channel.close)
    url = _url(sock, host)
    print(f"serving {display_path(output)}/ at {url} (previews at {url}_preview/); "
          "Ctrl-C to stop", flush=True)
    try:
        rebuilder.start()
        watcher.start()
        if open_browser:
            webbrowser.open(f"{url}_preview/")
        server.run(sockets=[sock])
    finally:
        channel.close()
        watcher.stop()
        rebuilder.stop()
        sock.close()
    _say("stopped")
    return 0
