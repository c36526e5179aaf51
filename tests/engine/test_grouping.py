"""Crews: jobs sent several to a task (a cluster's crew), in order and bounded, a task that
fails having its jobs tried again one by one, so one bad output fails alone; and the
briefings the run's own process reads while every worker is busy."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from briefkit.engine.executors import RETRIES, Crew, Grouping, Helper, Inline
from briefkit.engine.jobs import BriefingJob, Job, Outcome, ReadJob, Refused


def _jobs(costs: list[float]) -> list[Job]:
    return [BriefingJob("pdf", f"b{n}.pdf", "key", Path(f"b{n}.json"), cost)
            for n, cost in enumerate(costs)]


def test_jobs_go_several_to_a_task_in_order_within_the_bounds() -> None:
    tasks: list[list[str]] = []

    def make(items: list[str], shared: str) -> list[Outcome]:
        assert shared == "shared"
        tasks.append(items)
        return [Refused(f"made {item}") for item in items]

    grouping = Grouping(lambda job: job.name, make, ("shared",), jobs=3, seconds=1.0)
    crew = Crew(Inline(), lambda job: (job,), window=2, grouping=grouping)
    jobs = _jobs([0.6, 0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1])
    back = list(crew.run(jobs))
    assert [job for job, _ in back] == jobs
    assert all(isinstance(o, Refused) and o.reason == f"made {j.name}" for j, o in back)
    assert tasks == [["b0.pdf", "b1.pdf"], ["b2.pdf", "b3.pdf", "b4.pdf"],
                     ["b5.pdf", "b6.pdf", "b7.pdf"]]


def test_a_task_that_fails_has_its_jobs_tried_again_one_by_one() -> None:
    tasks: list[list[str]] = []

    def make(items: list[str]) -> list[Any]:
        tasks.append(items)
        if "b1.pdf" in items:  # this output kills its worker, every time
            raise RuntimeError("worker died")
        return [Refused(f"made {item}") for item in items]

    crew = Crew(Inline(), lambda job: (job,), window=1,
                grouping=Grouping(lambda job: job.name, make, jobs=4, seconds=10.0))
    back = dict((job.name, outcome) for job, outcome in crew.run(_jobs([0.1] * 4)))
    assert {name: o.reason for name, o in back.items() if isinstance(o, Refused)} == {
        "b0.pdf": "made b0.pdf", "b2.pdf": "made b2.pdf", "b3.pdf": "made b3.pdf",
        "b1.pdf": "the process making it stopped unexpectedly (RuntimeError: worker died)"}
    assert tasks[0] == ["b0.pdf", "b1.pdf", "b2.pdf", "b3.pdf"]
    assert all(len(task) == 1 for task in tasks[1:])  # one by one after the failure
    assert tasks.count(["b1.pdf"]) == RETRIES


def test_while_every_worker_is_busy_this_process_reads_the_briefings_waiting() -> None:
    # the worker takes a while over each output; the reads waiting behind them are made
    # by the helper (the run's own process), from the last, and each job comes back once
    def make(items: list[str]) -> list[Outcome]:
        time.sleep(0.05)
        return [Refused(f"worker {threading.current_thread().name} {item}") for item in items]

    here = threading.current_thread().name
    helper = Helper(lambda job: isinstance(job, ReadJob),
                    lambda job: Refused(f"{threading.current_thread().name} {job.shown}"))
    jobs: list[Job] = [*_jobs([0.1, 0.1]), *(ReadJob(Path(f"r{n}.json"), f"r{n}.json")
                                              for n in range(6))]
    with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
        crew = Crew(pool, lambda job: (job,), window=1, helper=helper,
                    grouping=Grouping(lambda job: job.shown, make, jobs=1))
        back = list(crew.run(jobs))
    assert sorted(job.shown for job, _ in back) == sorted(job.shown for job in jobs)
    made = {job.shown: o.reason for job, o in back if isinstance(o, Refused)}
    assert made["b0.json"].startswith("worker pool") and made["b1.json"].startswith("worker pool")
    assert all(made[f"r{n}.json"] == f"{here} r{n}.json" for n in range(6)), made
    # from the last: r5 is read first
    reads = [job.shown for job, _ in back if isinstance(job, ReadJob)]
    assert reads == [f"r{n}.json" for n in reversed(range(6))]


def test_a_read_the_helper_cannot_make_goes_to_the_workers() -> None:
    def make(items: list[str]) -> list[Outcome]:
        time.sleep(0.05)
        return [Refused(f"worker {item}") for item in items]

    def helper_fails(job: Job) -> Outcome:
        raise RuntimeError("cannot read here")

    jobs: list[Job] = [*_jobs([0.1]), ReadJob(Path("r0.json"), "r0.json")]
    with ThreadPoolExecutor(1) as pool:
        crew = Crew(pool, lambda job: (job,), window=1,
                    helper=Helper(lambda job: isinstance(job, ReadJob), helper_fails),
                    grouping=Grouping(lambda job: job.shown, make, jobs=1))
        back = {job.shown: o.reason for job, o in crew.run(jobs) if isinstance(o, Refused)}
    assert back == {"b0.json": "worker b0.json", "r0.json": "worker r0.json"}
