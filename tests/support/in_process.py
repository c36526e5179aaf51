"""The command line run inside the test process, as a new process would run it: in its
folder, with its environment, its standard output and error caught apart, its exit status,
a traceback and status 1 for what escapes ``main``, Python's warnings and last-resort
logging written to its standard error.  Each run starts with briefkit's in-memory state
as a new process's is (caches empty: what a run reads from disk is read) and ends letting
go of what a process lets go of on exit (the engine's workshops, temporary folders); the
test process's own state is left as it was."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


def run_main(argv: Sequence[str], cwd: Path,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``briefkit ARGV`` in ``cwd`` with ``env`` added to the environment: what it wrote on
    its standard output and error, and its exit status, as :func:`subprocess.run` gives
    them for the real process."""
    from briefkit.cli import main

    out, err = _stream(), _stream()
    with _new_process_state(), _environment(env or {}), contextlib.chdir(cwd), \
            _streams(out, err), _process_warnings(), _last_resort(err):
        try:
            status = main(list(argv))
        except SystemExit as leaving:
            status = _exit_status(leaving.code, err)
        except Exception:  # noqa: BLE001 (a process prints it on its way out, status 1)
            traceback.print_exc(file=err)
            status = 1
    return subprocess.CompletedProcess(["briefkit", *argv], status, _text(out), _text(err))


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    data = stream.buffer.getvalue()  # type: ignore[attr-defined]
    # as subprocess.run(text=True) reads a pipe: universal newlines
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _exit_status(code: object, err: io.TextIOWrapper) -> int:
    """The status ``sys.exit(code)`` leaves a process with (a message printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=err)
    return 1


@contextlib.contextmanager
def _environment(added: dict[str, str]) -> Iterator[None]:
    before = dict(os.environ)
    os.environ.update(added)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


@contextlib.contextmanager
def _streams(out: io.TextIOWrapper, err: io.TextIOWrapper) -> Iterator[None]:
    stdin, stdout, stderr = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(), out, err  # stdin: nothing, as DEVNULL
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr


@contextlib.contextmanager
def _process_warnings() -> Iterator[None]:
    """Python's default warning filters, as a process started without ``-W`` has them,
    shown on the (caught) standard error."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                         ResourceWarning):
            warnings.simplefilter("ignore", category, append=True)
        yield


class _LastResort(logging.Handler):
    """Logging's last resort of a process that sets up no logging: a record of level
    WARNING or more that no handler below the root logger takes is written to the
    standard error (the test run's own root handlers do not count)."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        logger: logging.Logger | None = logging.getLogger(record.name)
        while logger is not None and logger is not logging.root:
            if logger.handlers:
                return  # a handler of the process's own took it (or a NullHandler did)
            logger = logger.parent if logger.propagate else None
        if logger is None:
            return
        self.stream.write(self.format(record) + "\n")


@contextlib.contextmanager
def _last_resort(err: io.TextIOWrapper) -> Iterator[None]:
    handler = _LastResort(err)
    logging.root.addHandler(handler)
    try:
        yield
    finally:
        logging.root.removeHandler(handler)


@contextlib.contextmanager
def _new_process_state() -> Iterator[None]:
    """For the run, briefkit's in-memory state as a new process starts with it: every
    cached function of its modules with an empty cache, no workshop of the engine, no
    compiled PDF stylesheet, no font read; at its end, what the process lets go of on its
    way out (workshops closed, temporary folders removed), and the test process's own
    state back as it was (what its exports made in memory is not made again)."""
    from briefkit.engine import work
    from briefkit.exporters import pdf
    from briefkit.exporters.docx import start
    from briefkit.theme import fonts

    swapped = _fresh_functions()
    swapped += [(work, "_workshops", work._workshops), (work, "_worker_home", work._worker_home),
                (pdf, "_styles", pdf._styles), (fonts, "_known", fonts._known),
                (start, "_starts", start._starts)]
    work._workshops, work._worker_home, pdf._styles, fonts._known = {}, None, {}, {}
    start._starts = {}
    try:
        yield
    finally:
        work.forget()
        pdf._styles.clear()
        for module, name, value in swapped:
            setattr(module, name, value)


def _fresh_functions() -> list[tuple[ModuleType, str, object]]:
    """Each cached function of briefkit's modules replaced, wherever a module names it,
    by the same function with a cache of its own, empty; what was replaced."""
    fresh: dict[int, Callable[..., Any]] = {}
    swapped: list[tuple[ModuleType, str, object]] = []
    for name, module in list(sys.modules.items()):
        if module is None or (name != "briefkit" and not name.startswith("briefkit.")):
            continue
        for attribute, value in list(vars(module).items()):
            if not isinstance(value, functools._lru_cache_wrapper):
                continue
            if id(value) not in fresh:
                shape = value.cache_parameters()
                fresh[id(value)] = functools.lru_cache(
                    maxsize=shape["maxsize"], typed=shape["typed"])(value.__wrapped__)
            swapped.append((module, attribute, value))
            setattr(module, attribute, fresh[id(value)])
    return swapped
