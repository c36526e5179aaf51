"""A Dask cluster: which one a run may use, reaching it within a deadline, and checking
that its workers would make the same bytes as this machine.

A Dask scheduler is trusted with more than the work: distributed unpickles what it
sends, so whoever runs it can run code in the process that connects.  A project
folder is something newsrooms hand each other, so the address comes from the
command line or the environment; one named in ``briefkit.toml`` is used only when
asked (``--scheduler from-settings``, or ``BRIEFKIT_SCHEDULER=from-settings``), over
TLS or not: a project could ship its own certificate authority as well as an address.

distributed's client does not bound the whole of connecting (a peer that accepts
and never answers is waited on for ever) and lets a peer that does not speak its
protocol raise anything.  The client therefore lives on an event loop of its own
thread: connecting and the first questions to the cluster run there under one
deadline, and whatever goes wrong closes the client and is one line.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection, Coroutine, Iterator, Mapping
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, TypeVar

from briefkit.config import EngineSettings
from briefkit.engine.executors import RETRIES
from briefkit.engine.home import CACHE
from briefkit.engine.jobs import Job, Outcome
from briefkit.engine.keys import versions
from briefkit.engine.work import Setup, ThemeFiles, forget, perform, theme_files
from briefkit.errors import BriefkitError

#: ``--scheduler from-settings``: the scheduler ``briefkit.toml`` names.
FROM_SETTINGS = "from-settings"
#: Seconds a scheduler has to accept the connection (distributed retries until then).
CONNECT_SECONDS = 10.0
#: Seconds it has, in all, to answer as a Dask scheduler and have its workers report.
ANSWER_SECONDS = 12.0
#: Seconds closing a client may take, on the way out of a failed connection.
CLOSE_SECONDS = 3.0
#: Seconds the workers have to drop the run's caches and temporary folders, at its end.
LEAVE_SECONDS = 30.0

T = TypeVar("T")


class ClusterError(BriefkitError):
    """The Dask scheduler cannot be reached, does not answer as one, or its workers
    would not make the same bytes; or distributed is not installed."""

    category = "cluster"


def choose_scheduler(asked: str | None, engine: EngineSettings) -> tuple[str | None, str | None]:
    """The scheduler a run exports on (None: this machine), and a warning when the
    settings name one that is not used.

    ``asked`` is what the command line or the environment said: an address, or
    ``from-settings``.  Without it, the settings' scheduler is not used, whatever
    certificates they name: they came with the project folder.
    """
    named = engine.scheduler
    if asked == FROM_SETTINGS:
        if named is None:
            raise ClusterError(f"--scheduler {FROM_SETTINGS}: briefkit.toml names no scheduler "
                               "([engine] scheduler)")
        return named, None
    if asked:
        return asked, None
    if named is None:
        return None, None
    return None, (f"briefkit.toml names the Dask scheduler {named}: exported on this machine "
                  f"(a scheduler can run code here: use it with --scheduler {FROM_SETTINGS})")


def security(address: str, engine: EngineSettings) -> Any:
    """distributed's ``Security`` for a tls:// address: the settings' certificates, else
    those of Dask's own configuration; None for any other address."""
    if not address.startswith("tls://"):
        return None
    try:
        from distributed.security import Security
    except ImportError:
        return None  # connecting says what to install
    if engine.tls_ca_file is None:
        configured = Security()  # type: ignore[no-untyped-call]
        # its fields are slots, which the type checker does not see
        named = [getattr(configured, f, None) for f in ("tls_ca_file", "tls_client_cert")]
        if None in named:
            raise ClusterError(f"{address}: a tls:// scheduler needs certificates: name them "
                               "in briefkit.toml ([engine] tls_ca_file, tls_client_cert, "
                               "tls_client_key) or in Dask's configuration")
        return configured
    return Security(tls_ca_file=engine.tls_ca_file,  # type: ignore[no-untyped-call]
                    tls_client_cert=engine.tls_client_cert,
                    tls_client_key=engine.tls_client_key, require_encryption=True)


class _Loop:
    """An asyncio event loop on a thread of its own: distributed's client lives on it,
    and what runs there can be given up at a deadline."""

    def __init__(self) -> None:
        import asyncio  # here: a run without a cluster never needs it

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="briefkit-dask", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import asyncio

        self.loop.run_forever()
        # as asyncio.run ends: what the client left running (its batched sends, waiting
        # on a timer) is cancelled and let finish, so none complains as it is collected
        left = asyncio.all_tasks(self.loop)
        for task in left:
            task.cancel()
        if left:
            self.loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def run(self, work: Coroutine[Any, Any, T], seconds: float) -> T:
        """Run ``work`` on the loop; TimeoutError when it takes more than ``seconds``."""
        import asyncio

        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(work, seconds), self.loop)
        try:
            # a little longer: wait_for cancels the work at the deadline, and says so
            return future.result(seconds + CLOSE_SECONDS)
        except FutureTimeout:
            future.cancel()
            raise TimeoutError from None

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(CLOSE_SECONDS)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """distributed logs a failed connection, a lost worker and the keys it gathers again
    itself: the run's own lines say what came of them ("stopped unexpectedly")."""
    import logging

    # its configuration gives some loggers levels of their own ("distributed.client", which
    # says what it gathers again): each is quieted, not only their parent
    names = ["distributed", *(name for name in list(logging.root.manager.loggerDict)
                              if name.startswith("distributed."))]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@dataclass
class Cluster:
    """A Dask cluster reached through its scheduler, and what was sent to its workers."""

    client: Any  # distributed.Client
    executor: Executor
    loop: _Loop
    files: Any = None  # the theme's files, scattered to every worker
    setup: Any = None  # the run's settings and theme, scattered to every worker
    workers: int = 1
    #: distributed kept quiet while the cluster works for the run (see :func:`_quiet`)
    quiet: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @classmethod
    def connect(cls, address: str, setup: Setup, expected: Mapping[str, str],
                secure: Any = None, leave_out: Collection[str] = ()) -> Cluster:
        """Connect to the scheduler at ``address`` and check its workers' versions against
        ``expected`` (distribution -> version), all within :data:`ANSWER_SECONDS`; then
        send the theme's files and the cache's entries (but those in ``leave_out``) to
        every worker."""
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("exporting on a Dask cluster needs the distributed package: "
                               "pip install 'briefkit[distributed]'") from None
        loop = _Loop()
        opened: list[Any] = []

        async def opening() -> tuple[dict[str, Any], int]:
            client = Client(address, asynchronous=True,  # type: ignore[no-untyped-call]
                            timeout=CONNECT_SECONDS, security=secure, set_as_default=False)
            opened.append(client)
            await client
            found = await client.run(versions, list(expected), on_error="return")
            threads = await client.nthreads()  # type: ignore[no-untyped-call]
            return found, sum(threads.values())

        try:
            with _quiet():
                found, threads = loop.run(opening(), ANSWER_SECONDS)
            _check_workers(address, found, expected)
            client = opened[0]
            bundle = theme_files(setup.theme, setup.state / CACHE, leave_out)
            try:
                files = client.scatter(bundle, broadcast=True, hash=False)
                # sent once, not with every job (the scheduler would unpickle and
                # pickle it again for each)
                shared = client.scatter([setup], broadcast=True, hash=False)[0]
            except Exception as error:  # noqa: BLE001 (a worker lost, the scheduler gone)
                raise ClusterError(f"the Dask cluster at {address} did not take the theme's "
                                   f"files ({_reason(error)})") from None
        except BaseException as error:  # Ctrl-C too: the client is closed on every way out
            with _quiet():
                _close(loop, opened)
            if isinstance(error, BriefkitError) or not isinstance(error, Exception):
                raise
            # what a peer that is not a Dask scheduler makes distributed raise is the
            # peer's doing (MemoryError, OverflowError ...), not a bug of this run
            raise ClusterError(_failure(address, error)) from None
        # pure=False: every job is its own task; retries: a job whose worker died runs again
        executor = client.get_executor(pure=False, retries=RETRIES)
        cluster = cls(client, executor, loop, files, shared, threads or 1)
        cluster.quiet.enter_context(_quiet())
        return cluster

    def close(self) -> None:
        """Workers drop the run's caches and temporary folders; the client disconnects."""
        async def closing() -> None:
            # a worker already gone has nothing to clean
            with contextlib.suppress(Exception):
                await self.client.run(forget, on_error="ignore")
            await self.client.close()

        # a scheduler gone silent mid-run does not keep the run from ending
        with self.quiet, contextlib.suppress(Exception):
            self.loop.run(closing(), LEAVE_SECONDS)
        self.loop.stop()


def pack(job: Job, images: Mapping[str, bytes] | None, held: Mapping[str, str] | None,
         entries: Mapping[str, bytes] | None = None) -> bytes:
    """A job for a cluster, as one pickle, with what the worker needs of it (see
    :func:`briefkit.engine.work.perform`): the scheduler passes bytes on as they are,
    where it would unpickle and pickle again each briefing and its settings."""
    import pickle

    return pickle.dumps((job, images, held, entries), protocol=pickle.HIGHEST_PROTOCOL)


def perform_packed(packed: list[bytes], setup: Setup,
                   files: ThemeFiles | None = None) -> list[Outcome]:
    """Do the jobs :func:`pack` made, in order, on a cluster worker."""
    import pickle

    outcomes = []
    for one in packed:
        job, images, held, entries = pickle.loads(one)  # from the run, as every task is
        outcomes.append(perform(job, setup, files, images, held, entries))
    return outcomes


def _close(loop: _Loop, opened: list[Any]) -> None:
    """Close a client that failed on the way in, within a short deadline, and its loop."""
    if opened:
        async def closing() -> None:
            await opened[0].close()

        with contextlib.suppress(Exception):
            loop.run(closing(), CLOSE_SECONDS)
    loop.stop()


def _check_workers(address: str, found: Mapping[str, Any],
                   expected: Mapping[str, str]) -> None:
    """Refuse workers that cannot run briefkit, or whose libraries would make other bytes."""
    for worker, theirs in sorted(found.items(), key=lambda item: str(item[0])):
        shown = f"the Dask worker {_plain(str(worker))} (scheduler {address})"
        if isinstance(theirs, BaseException):
            raise ClusterError(f"{shown} cannot run briefkit ({_reason(theirs)})")
        for name, version in expected.items():
            other = theirs.get(name) if isinstance(theirs, dict) else None
            if other != version:
                raise ClusterError(
                    f"{shown} has {name} {_plain(str(other))}, this machine {version}: its "
                    "outputs would differ; install the same versions on every worker")


def _failure(address: str, error: BaseException) -> str:
    """One line for what went wrong connecting: unreachable, silent, or not Dask."""
    if isinstance(error, TimeoutError):  # asyncio's TimeoutError is this one
        return (f"the Dask scheduler at {address} did not answer within "
                f"{ANSWER_SECONDS:g} s")
    if isinstance(error, OSError):
        return f"cannot reach the Dask scheduler at {address} ({_reason(error)})"
    return f"{address} does not answer as a Dask scheduler ({_reason(error)})"


def _reason(error: BaseException) -> str:
    text = _plain(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _plain(text: str) -> str:
    """What a peer sent, safe on one line of a terminal: control characters escaped,
    and cut short."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= 200 else text[:200] + "…"


__all__ = ["ANSWER_SECONDS", "FROM_SETTINGS", "Cluster", "ClusterError", "choose_scheduler",
           "pack", "perform_packed", "security"]
