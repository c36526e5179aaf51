"""A folder target's publish: what changed goes up, in waves, whole; then removals.

Nothing is listed or hashed to learn what changed: the plan comes from the
manifest and the receipt.  A connection is opened only when there is
something to do (or ``--verify`` asks to list the remote).  Temporary names
left by a killed publish are removed first; then each wave of the plan is
sent, ``parallel`` files at a time, one connection per worker; a file whose
links did not land is held back; removals come last, and only when
everything landed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from briefkit.engine.state import Record
from briefkit.publish.delivery import Delivery
from briefkit.publish.faults import Fault
from briefkit.publish.plan import Plan, held_back, plan_files
from briefkit.publish.receipts import Receipt, Sent, now
from briefkit.publish.report import Item
from briefkit.publish.targets import Selection
from briefkit.publish.transports import Connection, Outgoing
from briefkit.publish.verify import compare

T = TypeVar("T")


class Pool:
    """Up to ``size`` connections to one target, each used by one thread at a time."""

    def __init__(self, open_one: Callable[[], Connection], size: int) -> None:
        self.open_one, self.size = open_one, size
        self.idle: queue.LifoQueue[Connection] = queue.LifoQueue()
        self.opened: list[Connection] = []
        self.lock = threading.Lock()

    def take(self) -> Connection:
        while True:
            try:
                return self.idle.get_nowait()
            except queue.Empty:
                pass
            with self.lock:
                room = len(self.opened) < self.size
                if room:
                    self.opened.append(placeholder := Connection())
            if room:
                try:
                    connection = self.open_one()
                except BaseException:
                    with self.lock:
                        self.opened.remove(placeholder)
                    raise
                with self.lock:
                    self.opened[self.opened.index(placeholder)] = connection
                return connection
            try:
                return self.idle.get(timeout=1.0)
            except queue.Empty:
                continue  # a broken connection was dropped meanwhile: open another

    def give(self, connection: Connection) -> None:
        self.idle.put(connection)

    def using(self, action: Callable[[Connection], T]) -> T:
        """``action`` on a connection of the pool; one that fails is not used again."""
        connection = self.take()
        try:
            done = action(connection)
        except BaseException:
            self.drop(connection)
            raise
        self.give(connection)
        return done

    def drop(self, connection: Connection) -> None:
        """A connection that failed: closed, and not used again."""
        connection.close()
        with self.lock:
            if connection in self.opened:
                self.opened.remove(connection)

    def close(self) -> None:
        with self.lock:
            opened, self.opened = self.opened, []
        for connection in opened:
            connection.close()


def publish_folder(job: Delivery, selection: Selection, receipt: Receipt) -> None:
    """Bring a folder target up to date with the selection (or say what that would do)."""
    prune = job.prune or job.target.prune
    plan = plan_files(selection.records, receipt, prune)
    if not (job.verify or (not job.dry_run and (not plan.empty or receipt.parts))):
        _tell(job, plan)  # nothing to do, or a dry run: the remote is not even reached
        return
    from briefkit.publish.transports.files import Folder, Folders, filesystem

    password = job.password(job.target.password_env) if job.address.kind != "s3" else None
    folders = Folders()
    pool = Pool(lambda: Folder(job.address, filesystem(job.address, job.target, password),
                               folders), job.target.parallel)
    try:
        first = job.attempt(pool.take, None)
        if first is None:
            job.report.unsent = len(plan.uploads)
            return
        pool.give(first)
        if job.verify:
            plan = _verify(job, pool, receipt, selection) or plan
        _tell(job, plan)
        if job.stopped is not None:  # the remote could not be listed
            job.report.unsent = len(plan.uploads)
        elif not job.dry_run:
            _clean(job, pool, receipt)
            _send(job, pool, receipt, plan)
    finally:
        pool.close()


def _tell(job: Delivery, plan: Plan) -> None:
    """The plan, as the report says it: in a dry run, what would be sent and removed."""
    job.report.fresh, job.report.kept = plan.fresh, plan.kept
    uploads = plan.uploads
    if job.dry_run:
        job.report.sent = [Item(r.path, r.bytes, r.sha256) for r in uploads]
        job.report.removed = [Item(p, plan.sizes.get(p, 0)) for p in plan.removals]
    elif uploads:
        job.display.planned(job.name, len(uploads), sum(r.bytes for r in uploads))


def _verify(job: Delivery, pool: Pool, receipt: Receipt, selection: Selection) -> Plan | None:
    """List the remote, say what someone else changed, and send it again."""
    found = job.attempt(lambda: pool.using(lambda c: c.listing()), None)
    if found is None:
        return None
    findings = compare(found, receipt)
    job.report.changed, job.report.missing = findings.changed, findings.missing
    job.report.foreign = findings.foreign
    if findings.paths and not job.dry_run:
        receipt.forget(findings.paths)
    elif findings.paths:  # a dry run: what the publish would send again
        receipt.files = {p: s for p, s in receipt.files.items() if p not in findings.paths}
    return plan_files(selection.records, receipt, job.prune or job.target.prune)


def _clean(job: Delivery, pool: Pool, receipt: Receipt) -> None:
    """Remove the temporary names an interrupted publish may have left."""
    for part in sorted(receipt.parts):
        def remove(part: str = part) -> bool:
            pool.using(lambda connection: connection.remove_part(part))
            receipt.part_gone(part)
            return True

        job.attempt(remove, part)  # a fault is said once; the journal keeps the name


def _send(job: Delivery, pool: Pool, receipt: Receipt, plan: Plan) -> None:
    listing = plan.listing
    failed: set[str] = set()
    failed_briefings: set[str] = set()
    workers = ThreadPoolExecutor(max_workers=job.target.parallel,
                                 thread_name_prefix=f"publish-{job.name}")
    try:
        for wave in plan.waves:
            if job.stopped is not None:  # the rest is "not sent", not held back
                break
            ready = []
            for record in wave:
                lists = record.format in listing
                if held_back(record, lists, failed, failed_briefings):
                    job.report.held.append(record.path)
                    failed.add(record.path)
                else:
                    ready.append(record)
            for record, landed in zip(ready, workers.map(
                    lambda r: _upload(job, pool, receipt, r), ready), strict=True):
                if not landed:
                    failed.add(record.path)
                    if not record.extra and record.briefing is not None:
                        failed_briefings.add(record.briefing)
        if job.stopped is not None:
            said = {f.file for f in job.report.failed} | set(job.report.held)
            arrived = {item.path for item in job.report.sent}
            job.report.unsent = sum(1 for r in plan.uploads
                                    if r.path not in arrived and r.path not in said)
            return
        if failed:
            if plan.removals:
                job.warn("nothing removed, as some files did not land: the next publish "
                         "removes what is no longer exported")
            return
        for path, gone in zip(plan.removals, workers.map(
                lambda p: _remove(job, pool, receipt, p), plan.removals), strict=True):
            if gone:
                job.report.removed.append(Item(path, plan.sizes.get(path, 0)))
    except KeyboardInterrupt:
        job.stopped = Fault("interrupted")
        raise
    finally:
        workers.shutdown(wait=True, cancel_futures=True)


def _upload(job: Delivery, pool: Pool, receipt: Receipt, record: Record) -> bool:
    """Send one file, whole, and note it in the receipt once it is in place."""
    shown = job.shown(record.path)

    def once() -> Sent:
        connection = pool.take()
        part = connection.part_name(record.path)
        try:
            if part is not None:
                receipt.part(part)  # noted before it exists: a kill leaves a name to remove
            outgoing = Outgoing(job.folder, record, shown, md5=job.address.kind == "s3")
            landed = connection.put(record.path, outgoing, part, record.media_type)
        except Fault:  # the file, not the connection: it changed since the export
            _forget_part(connection, receipt, part)
            pool.give(connection)
            raise
        except BaseException:
            _forget_part(connection, receipt, part)
            pool.drop(connection)
            raise
        pool.give(connection)
        sent = Sent(landed.size, landed.sha256, now(), landed.md5)
        receipt.landed(record.path, sent, part)
        return sent

    sent = job.attempt(once, record.path)
    if sent is None:
        return False
    item = Item(record.path, sent.size, sent.sha256)
    with job.lock:
        job.report.sent.append(item)
    job.display.sent(job.name, item)
    return True


def _forget_part(connection: Connection, receipt: Receipt, part: str | None) -> None:
    """Remove a temporary file after a failed upload, when the connection still can."""
    if part is None:
        return
    try:
        connection.remove_part(part)
    except Exception:  # noqa: BLE001 (the journal keeps the name: the next publish removes it)
        return
    receipt.part_gone(part)


def _remove(job: Delivery, pool: Pool, receipt: Receipt, path: str) -> bool:
    """Remove one file briefkit published and no longer exports."""
    def once() -> bool:
        pool.using(lambda connection: connection.remove(path))
        receipt.removed(path)
        return True

    if job.attempt(once, path) is None:
        return False
    job.display.removed(job.name, path)
    return True
