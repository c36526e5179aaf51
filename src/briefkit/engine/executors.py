"""The executors jobs run on: this process, local worker processes, a Dask cluster
(which one a run uses is :mod:`briefkit.engine.placement`'s choice).

A run with little to do runs here and never pays a pool's start-up; a bigger
one uses a local process pool whose workers start with WeasyPrint imported and
the theme's fonts and stylesheets loaded, and keep them for the run; with a
scheduler address, jobs go to a Dask cluster through ``distributed``'s
``Client.get_executor()`` (:mod:`briefkit.engine.cluster`).  Each is a
:class:`concurrent.futures.Executor`; :class:`Crew` maps jobs over whichever it
is given, and is the only code that waits on one.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator

# BrokenExecutor, not BrokenProcessPool (its subclass): concurrent.futures.process
# imports multiprocessing, which a run in this process never needs
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from typing import Any

from briefkit.engine.jobs import Job, Outcome, Refused
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


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the run that started it dies (even by SIGKILL),
    so no worker outlives its run and works beside the next one."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the run died before we asked
        os._exit(1)


def _start_worker(parent: int, setup: Setup, formats: tuple[str, ...]) -> None:
    """Pool initializer: Ctrl-C is the run's to handle (the worker finishes its output);
    the workshop is opened and warmed before the first job arrives."""
    from multiprocessing.util import Finalize

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    workshop(setup).prepare(formats)
    # pool workers leave without running atexit: close the workshop on the way out
    Finalize(None, forget, exitpriority=10)


def local_pool(workers: int, setup: Setup, formats: tuple[str, ...]) -> Executor:
    """A pool of forked worker processes, warmed before the first job."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "pdf" in formats:
        # imported once here, before the fork, so no worker pays for it
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    # fork: workers start with briefkit (and WeasyPrint) already imported
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(), setup, formats))
    # a forking pool starts every worker at its first job: start them now, before the
    # progress bar's thread exists, so no worker is forked with a lock held elsewhere
    pool.submit(int)
    return pool


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


class Crew:
    """Maps jobs over an executor, a few at a time, longest first, and hands back outcomes.

    A job whose worker process died (the kernel's OOM killer, a crash) runs again
    on a fresh worker; a second death reports that job alone as failed.  With a
    :class:`Grouping`, jobs go several to a task; a task that fails has its jobs
    tried again one by one.
    """

    def __init__(self, executor: Executor, call: Callable[[Job], tuple[Any, ...]], window: int,
                 renew: Callable[[], Executor] | None = None,
                 grouping: Grouping | None = None) -> None:
        """``call`` gives the arguments :func:`perform` is called with, for each job, on
        the executor (with a ``grouping``, its ``call`` does)."""
        self.executor, self.call, self.window, self.renew = executor, call, window, renew
        self.grouping = grouping
        self.generation = 0  # how many times the executor was renewed
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

    def stop(self) -> list[tuple[Job, Outcome]]:
        """Drop the jobs not started; let the running ones finish, and return what came of
        every job that finished and was not yet handed back."""
        self.pending.clear()
        self.executor.shutdown(wait=True, cancel_futures=True)
        finished = []
        for future, (taken, _) in self.running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                result = future.result()
                outcomes = result if self.grouping is not None else [result]
                finished += [(job, outcome) for (job, _), outcome in zip(taken, outcomes,
                                                                        strict=True)]
        self.running.clear()
        return finished


__all__ = ["Crew", "Grouping", "Inline", "ThemeFiles", "default_jobs", "local_pool"]
