"""The command line, run as a user runs it: in the test process as a new process would
run it (:mod:`support.in_process`), in a separate process when the test is about the
process, or on a terminal; with plugins installed the way pip installs them."""

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
    """Run the command line in ``cwd`` with ``env`` added, as a new process would run it,
    but in the test process (:func:`support.in_process.run_main`): its standard output,
    error and exit status.  A run that only a new process can make (:func:`_needs_a_process`)
    runs in one (:func:`run_process`).  An export runs on one process (``--jobs 1``)
    unless ARGS ask for processes or a cluster: a test that is not about parallelism pays
    for no pool of workers (the tests run in parallel already).  ``timeout`` bounds a
    separate process; in the test process, pytest-timeout bounds the test."""
    if _needs_a_process(args, env or {}):
        return run_process(*args, cwd=cwd, env=env, timeout=timeout)
    from support.in_process import run_main

    return run_main(one_process(args), cwd, env)


#: What a process reads once, as it starts: given one of these, a run is a new process.
PROCESS_WIDE = ("PYTHON", "LANG", "LC_", "TZ", "BRIEFKIT_SCHEDULER")


def _needs_a_process(args: tuple[str, ...], env: dict[str, str]) -> bool:
    """Whether a run takes a process of its own: an interpreter set up by ``env``
    (``PYTHONPATH`` for plugins, a hash seed, a locale, a time zone), the preview server,
    or an export on worker processes or a cluster."""
    if any(name.startswith(PROCESS_WIDE) for name in env) or args[:1] == ("serve",):
        return True  # (the preview server is a process: signals, sockets, its exit)
    return args[:1] == ("export",) and spread_over_processes(args)


def spread_over_processes(args: tuple[str, ...]) -> bool:
    """Whether an export's ARGS ask for more than one process or for a cluster."""
    for n, arg in enumerate(args):
        if arg.startswith("--scheduler"):
            return True
        if arg in ("-j", "--jobs"):
            value = args[n + 1] if n + 1 < len(args) else ""
        elif arg.startswith("--jobs="):
            value = arg.partition("=")[2]
        elif arg.startswith("-j"):
            value = arg[2:]
        else:
            continue
        if value != "1":
            return True
    return False


def run_process(*args: str, cwd: Path, env: dict[str, str] | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a separate process, as a user would: for a test about
    the process (its signals, its exit, what it leaves behind, its start-up).  An export
    runs on one process unless ARGS say (see :func:`run_briefkit`)."""
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
