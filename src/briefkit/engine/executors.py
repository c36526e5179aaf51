"""The executors jobs run on: this process, local worker processes, a Dask cluster
(which one a run uses is :mod:`briefkit.engine.placement`'s choice).

A run with little to do runs here and never pays a pool's start-up; a bigger
one uses a local process pool whose workers start with WeasyPrint imported and
the theme's fonts and stylesheets loaded, and keep them for a few thousand jobs;
with a scheduler address, jobs go to a Dask cluster through ``distributed``'s
``Client.get_executor()`` (:mod:`briefkit.engine.cluster`).  Each is a
:class:`concurrent.futures.Executor`; :class:`Crew` maps jobs over whichever it
is given, and is the only code that waits on one.

A local pool's workers are forked from a server process started clean, with
briefkit and WeasyPrint imported (``multiprocessing``'s fork server), never from
the run's own process: that one holds every briefing by the end of a big run
and runs the progress bar's thread, and a process forked while another thread
holds a lock may hang.  So workers can be started anew in the middle of a run:
each PDF leaves some memory in WeasyPrint's C libraries (Pango, fontconfig,
cairo), and a worker that made thousands would keep it all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence

# BrokenExecutor, not BrokenProcessPool (its subclass): concurrent.futures.process
# imports multiprocessing, which a run in this process never needs
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefkit.engine.jobs import Job, Outcome, Refused
from briefkit.engine.scratch import Scratch
from briefkit.engine.work import Setup, ThemeFiles, forget, perform, workshop
from briefkit.errors import BriefkitError

#: How many times a job whose worker died is tried again on a fresh one.
RETRIES = 2


class Inline(Executor):
    """Runs each job here, when it is submitted: no process to start, nothing to send."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 (Ctrl-C goes through, as it should)
            future.set_exception(error)
        return future


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _leave_with(run: int) -> None:
    """Leave, at once, when the run's process ends, even by SIGKILL: no worker outlives
    its run and works beside the next one.  (A worker's parent is the fork server,
    not the run; the queue a worker reads jobs from stays open while it lives.)"""
    import threading

    def watch() -> None:
        try:
            import select

            handle = os.pidfd_open(run)
        except (AttributeError, OSError):  # no pidfd: look every second
            while _alive(run):
                time.sleep(1.0)
        else:
            select.select([handle], [], [])
        os._exit(1)

    if not _alive(run):
        os._exit(1)
    threading.Thread(target=watch, name="briefkit-run-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_worker(run: int, setup: Setup, formats: tuple[str, ...]) -> None:
    """Pool initializer: Ctrl-C is the run's to handle (the worker finishes its output);
    the workshop is opened and warmed before the first job arrives."""
    from multiprocessing.util import Finalize

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _leave_with(run)
    workshop(setup).prepare(formats)
    # pool workers leave without running atexit: close the workshop on the way out
    Finalize(None, forget, exitpriority=10)


def local_pool(workers: int, setup: Setup, formats: tuple[str, ...]) -> Executor:
    """A pool of worker processes forked from the fork server, warmed before the first
    job, starting in the background (:class:`LocalPool`)."""
    import multiprocessing

    _house_server(setup.state)
    context = multiprocessing.get_context("forkserver")
    # what the server imports once, so no worker pays for it (heeded when the server
    # starts: the first pool of this process)
    context.set_forkserver_preload(
        ["briefkit.engine.work", *(["weasyprint"] if "pdf" in formats else [])])
    from concurrent.futures import ProcessPoolExecutor

    return LocalPool(ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                         initargs=(os.getpid(), setup, formats)))


class LocalPool(Executor):
    """A local process pool whose server and first worker start in the background.

    The fork server imports WeasyPrint before it forks a worker: half a second the
    run's own process would spend waiting at its first job, and reads briefings in
    meanwhile (:meth:`started`)."""

    def __init__(self, pool: Executor) -> None:
        import threading

        self.pool = pool
        self._starting = threading.Thread(target=self._start, name="briefkit-pool-start",
                                          daemon=True)
        self._starting.start()

    def _start(self) -> None:
        # a pool that cannot start says so, and is renewed, at its first job
        with contextlib.suppress(Exception):
            self.pool.submit(int)

    def started(self) -> bool:
        """Whether the server is up and the first worker forked: jobs are taken at once."""
        return not self._starting.is_alive()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


#: The folder of the fork server's socket, and a handle on it, while this process has the
#: server running.
_server_folder: tuple[Scratch, int] | None = None
_at_exit = False  # stop_fork_server registered to run when this process ends


def _house_server(state: Path) -> None:
    """Put the fork server's socket in a temporary folder of the project's state.

    ``multiprocessing`` makes a folder for it in the system's temporary folder, once per
    process, and a run killed outright would leave it there; one of the project's own is
    removed by the next run when this one was killed (:mod:`briefkit.engine.scratch`).
    It is named through this process's handle on it, ``/proc/self/fd/N``: a socket's
    path is at most 107 bytes long, a project's may be longer.  Without ``/proc``, the
    system's temporary folder it is."""
    global _server_folder, _at_exit  # noqa: PLW0603 (one server per process)
    from multiprocessing import process

    # the folder multiprocessing.util.get_temp_dir() hands out, when it is set
    config = process.current_process()._config  # type: ignore[attr-defined]
    if _server_folder is not None or config.get("tempdir") is not None:
        return
    scratch = Scratch(state, redirect=False)
    handle = os.open(scratch.open(), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    named = f"/proc/self/fd/{handle}"
    if not os.path.isdir(named):
        os.close(handle)
        scratch.close()
        return
    _server_folder = scratch, handle
    config["tempdir"] = named
    if not _at_exit:  # a process kept warm: when it ends (registered once per process)
        import atexit

        atexit.register(stop_fork_server)
        _at_exit = True


def stop_fork_server() -> None:
    """Stop this process's fork server, if a pool started one, wait for it to end, and
    remove its folder: the CPU time of the workers it started then counts as this
    process's children's (what ``time`` and the system's accounting show for a run)."""
    global _server_folder  # noqa: PLW0603 (one server per process)
    import sys

    server = sys.modules.get("multiprocessing.forkserver")
    if server is not None:
        # ForkServer._stop: the one way to end the server but this process's own exit
        getattr(server._forkserver, "_stop", lambda: None)()
    if _server_folder is None:
        return
    from multiprocessing import process

    process.current_process()._config.pop("tempdir", None)  # type: ignore[attr-defined]
    scratch, handle = _server_folder
    _server_folder = None
    os.close(handle)
    scratch.close()


@dataclass(frozen=True)
class Grouping:
    """Jobs sent together, one task for several (a cluster pays for each task it
    schedules): up to ``jobs`` of them, or ``seconds`` of expected work.
    ``function(items, *shared)`` makes them, ``items`` what ``call`` gave for each job,
    and returns their outcomes in order."""

    call: Callable[[Job], Any]
    function: Callable[..., list[Outcome]]
    shared: tuple[Any, ...] = ()
    jobs: int = 8
    seconds: float = 1.0


@dataclass(frozen=True)
class Helper:
    """Jobs the run's own process makes beside its workers while it would wait for them:
    those ``takes`` says, made by ``make`` (briefings read, cheap for it and wanted there)."""

    takes: Callable[[Job], bool]
    make: Callable[[Job], Outcome]


class Crew:
    """Maps jobs over an executor, a few at a time, longest first, and hands back outcomes.

    A job whose worker process died (the kernel's OOM killer, a crash) runs again
    on a fresh worker; a second death reports that job alone as failed.  With a
    :class:`Grouping`, jobs go several to a task; a task that fails has its jobs
    tried again one by one.  With ``recycle``, the executor is renewed after that many
    jobs: the next jobs go to the new one while the old one finishes those it has.
    """

    def __init__(self, executor: Executor, call: Callable[[Job], tuple[Any, ...]], window: int,
                 renew: Callable[[], Executor] | None = None,
                 grouping: Grouping | None = None, recycle: int | None = None,
                 helper: Helper | None = None) -> None:
        """``call`` gives the arguments :func:`perform` is called with, for each job, on
        the executor (with a ``grouping``, its ``call`` does); ``helper``, the waiting
        jobs this process makes itself while every worker is busy."""
        self.executor, self.call, self.window, self.renew = executor, call, window, renew
        self.grouping, self.recycle, self.helper = grouping, recycle, helper
        self.generation = 0  # how many times the executor was renewed
        self.sent = 0  # jobs sent to this executor
        self.pending: deque[tuple[Job, int]] = deque()
        self.running: dict[Future[Any], tuple[list[tuple[Job, int]], int]] = {}

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Outcome]]:
        self.pending.extend((job, 0) for job in jobs)
        while self.pending or self.running:
            while self.pending and len(self.running) < self.window:
                taken, items = [], []
                for job, attempts in self._next():
                    try:
                        items.append(self.grouping.call(job) if self.grouping else self.call(job))
                    except BriefkitError as error:  # e.g. an image changed since it was checked
                        yield job, Refused(error.message)
                        continue
                    taken.append((job, attempts))
                if not taken:
                    continue
                if self.recycle and self.renew and self.sent >= self.recycle:
                    self._retire()
                try:
                    future: Future[Any]
                    if self.grouping is None:
                        future = self.executor.submit(perform, *items[0])
                    else:
                        future = self.executor.submit(self.grouping.function, items,
                                                      *self.grouping.shared)
                except BrokenExecutor:
                    self._fresh_executor(self.generation)
                    self.pending.extendleft(reversed(taken))
                    continue
                self.running[future] = (taken, self.generation)
                self.sent += len(taken)
            helped = self._help()
            if helped is not None:
                yield helped
                continue
            done, _ = wait(self.running, return_when=FIRST_COMPLETED)
            # those done at once in the order they were sent (a set has none): the same
            # run reports its outcomes in the same order
            for future in [f for f in self.running if f in done]:
                taken, generation = self.running.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 (its process died, or the cluster lost it)
                    if isinstance(error, BrokenExecutor):
                        self._fresh_executor(generation)
                    for job, attempts in taken:
                        if attempts < RETRIES:  # one by one from now on
                            self.pending.append((job, attempts + 1))
                            continue
                        yield job, Refused("the process making it stopped unexpectedly "
                                           f"({type(error).__name__}: "
                                           f"{error or 'no reason given'})")
                    continue
                outcomes: list[Outcome] = result if self.grouping is not None else [result]
                for (job, _), outcome in zip(taken, outcomes, strict=True):
                    yield job, outcome

    def _help(self) -> tuple[Job, Outcome] | None:
        """The last job waiting, made in this process, if the helper takes it and no
        worker's outcome is there to hand back first."""
        if self.helper is None or not self.pending or self.pending[-1][1] > 0:
            return None
        job = self.pending[-1][0]
        if not self.helper.takes(job) or wait(self.running, timeout=0,
                                              return_when=FIRST_COMPLETED)[0]:
            return None
        self.pending.pop()
        try:
            return job, self.helper.make(job)
        except Exception:  # noqa: BLE001 (what went wrong here, a worker tries, and reports)
            self.pending.append((job, 1))
            return None

    def add(self, jobs: Sequence[Job]) -> None:
        """More jobs for :meth:`run` under way, made before those waiting (they follow
        outputs just made)."""
        self.pending.extendleft((job, 0) for job in reversed(jobs))

    def _next(self) -> list[tuple[Job, int]]:
        """The next job, or with a grouping the next jobs (none tried before), in order."""
        first = self.pending.popleft()
        taken = [first]
        group = self.grouping
        if group is None or first[1] > 0:
            return taken
        seconds = getattr(first[0], "cost", 0.0)
        while self.pending and len(taken) < group.jobs and self.pending[0][1] == 0:
            cost = getattr(self.pending[0][0], "cost", 0.0)
            if seconds + cost > group.seconds:
                break
            seconds += cost
            taken.append(self.pending.popleft())
        return taken

    def _fresh_executor(self, broken: int) -> None:
        """A worker died and took the pool down: start a new one (once per breakage)."""
        if broken != self.generation:
            return  # already renewed
        if self.renew is None:
            raise RuntimeError("the executor broke and cannot be renewed")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.renew()
        self.generation += 1
        self.sent = 0

    def _retire(self) -> None:
        """Send the next jobs to a new executor; the old one finishes those it has, then
        its workers leave."""
        assert self.renew is not None
        old, self.executor = self.executor, self.renew()
        old.shutdown(wait=False)
        self.generation += 1
        self.sent = 0

    def close(self) -> None:
        """Shut the executor down once its running jobs finish."""
        self.executor.shutdown(wait=True)

    def stop(self) -> list[tuple[Job, Outcome]]:
        """Drop the jobs not started; let the running ones finish, and return what came of
        every job that finished and was not yet handed back."""
        self.pending.clear()
        self.executor.shutdown(wait=True, cancel_futures=True)
        # a retired executor runs every job it was sent: those finish too
        wait([f for f, (_, generation) in self.running.items()
              if generation != self.generation])
        finished = []
        for future, (taken, _) in self.running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                result = future.result()
                outcomes = result if self.grouping is not None else [result]
                finished += [(job, outcome) for (job, _), outcome in zip(taken, outcomes,
                                                                        strict=True)]
        self.running.clear()
        return finished


__all__ = ["Crew", "Grouping", "Helper", "Inline", "LocalPool", "ThemeFiles", "default_jobs",
           "local_pool", "stop_fork_server"]
