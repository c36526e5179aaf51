"""One publish: every chosen target brought up to date with the output folder.

The project's lock is held for the whole publish, so an export never changes
the output folder while its files are on their way.  What exists to publish
comes from the engine's manifest; what each target holds, from its receipt.
A target that fails is reported and the others are still published; hubs
are told about the feeds that changed once every target is done.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from briefkit.config import PublishSettings, Settings, locate_setting, publish_settings
from briefkit.engine.state import State
from briefkit.errors import ConfigError
from briefkit.files import display_path
from briefkit.publish import websub
from briefkit.publish.delivery import Delivery
from briefkit.publish.faults import Fault, PublishError
from briefkit.publish.receipts import Receipt
from briefkit.publish.report import Display, PublishReport, TargetReport
from briefkit.publish.targets import (
    address_of,
    briefings_known,
    check_formats,
    chosen_targets,
    select,
)
from briefkit.publish.uploads import publish_folder


def publish(settings: Settings, targets: Sequence[str] = (), *, dry_run: bool = False,
            verify: bool = False, prune: bool = False, out: Path | None = None,
            display: Display | None = None) -> PublishReport:
    """Publish the output folder (default: the settings' ``output``) to ``targets``
    (default: every ``[publish.<name>]``): what changed since each target's receipt, in
    an order that never leaves a dead link, whole files only.  ``dry_run`` says what
    would be sent and removed; ``verify`` lists each remote first and sends again what
    someone else changed or removed there; ``prune`` removes what is no longer exported.
    """
    started = time.perf_counter()
    settings = publish_settings(settings)
    names = chosen_targets(settings, targets)
    folder = Path(os.path.abspath(out or settings.output_dir))
    display = display or Display()
    report = PublishReport(dry_run=dry_run, verify=verify)
    previous = signal.getsignal(signal.SIGTERM)
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        signal.signal(signal.SIGTERM, _stop)
    try:
        with State(settings.root, folder) as state:
            report.warnings.extend(state.warnings)
            if not state.records:
                raise PublishError(f"nothing exported in {display_path(folder)}/ yet: run "
                                   "briefkit export --all first")
            _check(settings, names, folder, {r.format for r in state.records.values()})
            known = briefings_known(state.sources)
            feeds = {path for path, record in state.records.items() if websub.is_feed(record)}
            for name in names:
                target = settings.publish[name]
                address = address_of(name, target, settings.root)
                job = Delivery(settings, name, target, address, folder, state.records, known,
                               TargetReport(name, target.to, address.kind), display,
                               dry_run=dry_run, verify=verify, prune=prune)
                _deliver(job, state)
                report.targets.append(job.report)
                report.warnings.extend(job.warnings)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        display.close()
    report.pings = _tell_hubs(settings, report, feeds)
    unheard: dict[tuple[str, str], list[str]] = {}
    for ping in report.pings:
        if ping.ok is False:
            unheard.setdefault((ping.hub, ping.detail), []).append(ping.feed)
    report.warnings += [f"websub: {hub}: {detail}; not told of {', '.join(feeds)} (readers "
                        "still find the change when they next read the feed)"
                        for (hub, detail), feeds in unheard.items()]
    report.seconds = time.perf_counter() - started
    return report


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops a publish as Ctrl-C does: files on their way land, receipts are saved."""
    raise KeyboardInterrupt


def _check(settings: PublishSettings, names: Sequence[str], folder: Path, exported: set[str]) -> None:
    """What the settings could not check alone: formats no exporter makes, and a local
    target inside the project's own folders."""
    from briefkit import registry

    # the installed formats are looked up only for a target that names some
    installed = registry.names() if any(settings.publish[n].formats for n in names) else []
    guarded = {"the output folder": folder, "source/": settings.source_dir,
               "the run state": settings.root / ".briefkit", "themes/": settings.root / "themes"}
    for name in names:
        target = settings.publish[name]
        check_formats(settings, name, target, installed, exported)
        if target.kind != "file":
            continue
        place = Path(address_of(name, target, settings.root).folder).resolve()
        for what, given in guarded.items():
            path = given.resolve()
            if place == path or place.is_relative_to(path) or path.is_relative_to(place):
                problem = locate_setting(settings.root, ("publish", name, "to"),
                                         f"a target cannot be, hold or lie inside {what}")
                raise ConfigError(str(problem), [problem])


def _deliver(job: Delivery, state: State) -> None:
    """One target: its selection, its receipt, and the work; a fault is one line."""
    started = time.perf_counter()
    selection = select(state.records, job.target, job.known)
    if selection.unknown:
        job.warn(f"{len(selection.unknown)} briefings left out: the manifest does not know "
                 "their language and tags yet; run briefkit export --all once")
    receipt = Receipt.read(state.home, job.name, job.target.to)
    for warning in receipt.warnings:
        job.warn(warning)
    try:
        if job.address.kind == "mailto":
            from briefkit.publish.mailing import publish_mail

            publish_mail(job, selection, receipt)
        else:
            publish_folder(job, selection, receipt)
    except Fault as fault:  # before any file: a password variable not set
        job.fail(None, fault)
    finally:
        if not job.dry_run:
            receipt.save()
        receipt.close()
        job.report.seconds = time.perf_counter() - started


def _tell_hubs(settings: Settings, report: PublishReport, feeds: set[str]) -> list[websub.Ping]:
    """Ping each hub for each feed (a path in ``feeds``) that landed on a target this
    publish, once per feed, after every target is done."""
    hubs = settings.feed.hubs
    if not hubs or not settings.base_url:
        return []
    changed = sorted({item.path for target in report.targets for item in target.sent
                      if item.path in feeds})
    addresses = [settings.base_url + path for path in changed]
    if report.dry_run:
        return [websub.Ping(hub, feed, None, "would be told") for feed in addresses
                for hub in hubs]
    return websub.ping(hubs, addresses)
