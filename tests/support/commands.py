"""The real command line, run as a user runs it: in a separate process, or on a terminal,
with plugins installed the way pip installs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any


def run_briefkit(*args: str, cwd: Path, env: dict[str, str] | None = None,
                 timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a separate process, as a user would.  An export runs
    on one process (``--jobs 1``) unless ARGS ask for processes or a cluster: a test that
    is not about parallelism pays for no pool of workers (the tests run in parallel
    already)."""
    return subprocess.run(
        [sys.executable, "-m", "briefkit", *one_process(args)],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def one_process(args: tuple[str, ...]) -> tuple[str, ...]:
    """``args`` of the command line, with ``--jobs 1`` added to an export that names no
    number of processes (``-j``, ``--jobs``) and no cluster (``--scheduler``)."""
    if not args or args[0] != "export":
        return args
    if any(a.startswith(("-j", "--jobs", "--scheduler")) for a in args):
        return args
    return ("export", "--jobs", "1", *args[1:])


def export(room: Path, *args: str, env: dict[str, str] | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``briefkit export --all ARGS`` in ``room`` (on one process unless ARGS say)."""
    return run_briefkit("export", "--all", *args, cwd=room, env=env, timeout=timeout)


def export_report(room: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``briefkit export --all --json ARGS`` in ``room`` (see :func:`export`): its report."""
    result = export(room, "--json", *args, env=env)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


PLUGIN = '''
from briefkit.exporters.base import Exporter


class ShoutExporter(Exporter):
    """A third-party format: the title in capitals, as plain text."""

    name = "shout"
    extension = ".txt"
    media_type = "text/plain"
    description = "the title, shouted"

    def export(self, item, context):
        return item.briefing.title.upper().encode("utf-8")
'''


def install_plugin(site: Path, module: str = "briefkit_shout", target: str = "ShoutExporter",
                   name: str = "shout", code: str = PLUGIN) -> dict[str, str]:
    """Install a plugin the way pip does: a module and a .dist-info with entry_points.txt."""
    (site / f"{module}.py").write_text(textwrap.dedent(code), "utf-8")
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[briefkit.exporters]\n{name} = {module}:{target}\n", "utf-8"
    )
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


def run_on_terminal(*args: str, cwd: Path, timeout: float = 120) -> tuple[int, str]:
    """Run the command line on a pseudo-terminal, as a user at a terminal would: its exit
    status, and everything it showed."""
    import pty
    import select
    import time

    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "briefkit", *args], cwd=cwd,
                               stdin=terminal, stdout=terminal, stderr=terminal,
                               env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([controller], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the run ended and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if process.poll() is None and time.monotonic() >= deadline:
            process.kill()
    status = process.wait(timeout=timeout)
    os.close(controller)
    return status, shown.decode("utf-8", "replace")
