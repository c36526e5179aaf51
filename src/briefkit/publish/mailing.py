"""An e-mail target's publish: one message per briefing version not mailed yet.

A briefing's version is the set of files the target takes from it (their
names and checksums): a new PDF is a new version, a rerun is not.  An output
that is a whole message (the e-mail edition, the digest) is a version of its
own, by its path: it travels alone, as it was exported.  Each
message is noted in the receipt's journal before it is handed to the mail
server and after the server took it; a publish killed in between (the
server may or may not have the message) sends it again with the same
Message-ID and the same bytes, which mail systems recognise as one message.
"""

from __future__ import annotations

from collections import defaultdict
from email.message import EmailMessage

from briefkit.briefing_file import BriefingFile
from briefkit.engine.state import Record
from briefkit.errors import BriefingError
from briefkit.files import confinement
from briefkit.load import load
from briefkit.publish.delivery import Delivery
from briefkit.publish.faults import Fault
from briefkit.publish.letters import (
    MESSAGE,
    Attachment,
    as_sent,
    compose,
    files_digest,
    message_id,
)
from briefkit.publish.receipts import Letter, Receipt, now
from briefkit.publish.report import Mailed
from briefkit.publish.targets import Selection
from briefkit.publish.transports import Outgoing
from briefkit.publish.transports.mail import Mailer


def publish_mail(job: Delivery, selection: Selection, receipt: Receipt) -> None:
    """Mail each briefing version the target has not received (or say what would go)."""
    versions: dict[str, list[Record]] = defaultdict(list)
    for record in selection.records.values():
        if record.media_type == MESSAGE:  # by its path, which no briefing id can be
            versions[record.path].append(record)
        elif record.briefing is not None:
            versions[record.briefing].append(record)
    sender = job.settings.smtp.sender or ""
    todo: list[tuple[str, list[Record], str, str]] = []
    for briefing, records in sorted(versions.items()):
        digest = files_digest(records)
        letter = receipt.letters.get(briefing)
        if letter is not None and letter.digest == digest:
            job.report.fresh += 1
        else:
            todo.append((briefing, records, digest,
                         message_id(job.name, briefing, digest, sender)))
    gone = sorted(b for b in receipt.letters if b not in versions)
    if job.prune or job.target.prune:
        if not job.dry_run:
            receipt.forget_letters(gone)  # nothing to remove from a mailbox: only forgotten
    else:
        job.report.kept = gone
    if job.verify:
        job.warn("an e-mail target cannot be listed: nothing to verify")
    if job.dry_run:
        job.report.mailed = [Mailed(b, mid, tuple(r.path for r in rs), sum(r.bytes for r in rs))
                             for b, rs, _, mid in todo]
        return
    if not todo:
        return
    job.display.planned(job.name, len(todo), sum(r.bytes for _, rs, _, _ in todo for r in rs))
    mailer = Mailer(job.settings.smtp, job.password(job.settings.smtp.password_env))
    try:
        def connect() -> bool:
            mailer.open()
            return True

        if job.attempt(connect, None, reset=mailer.close) is None:
            job.report.unsent = len(todo)
            return
        for index, (briefing, records, digest, mid) in enumerate(todo):
            if job.stopped is not None:
                job.report.unsent = len(todo) - index
                return
            _mail_one(job, receipt, mailer, briefing, records, digest, mid)
    finally:
        mailer.close()


def _briefing(job: Delivery, briefing: str) -> BriefingFile:
    """The briefing as it was exported, for its title, dateline and standfirst."""
    memory = job.known.get(briefing)
    if memory is None:
        raise Fault(f"the manifest does not know briefing {briefing}: run briefkit export "
                    "--all first", stops=False)
    source = job.settings.source_dir / str(memory["source"])
    try:
        item = load(source, confinement(source, job.settings.source_dir))
    except BriefingError as error:
        raise Fault(f"{error.lines()[0]}: fix it and run briefkit export first",
                    stops=False) from None
    if item.digest != memory.get("sha256"):
        raise Fault(f"{source.name} changed since it was exported: run briefkit export "
                    "first", stops=False)
    return item


def _mail_one(job: Delivery, receipt: Receipt, mailer: Mailer, briefing: str,
              records: list[Record], digest: str, mid: str) -> None:
    """Compose and send one message, noted before and after in the receipt's journal."""
    sender = job.settings.smtp.sender or ""
    recipients = job.address.recipients
    whole = records[0] if len(records) == 1 and records[0].media_type == MESSAGE else None
    try:
        attachments = [Attachment(r, Outgoing(job.folder, r, job.shown(r.path)).read())
                       for r in records]
        # a message exported whole is sent as it is: no briefing to read it from
        item = _briefing(job, briefing) if whole is None else None
    except Fault as fault:
        job.fail(briefing, fault)
        return
    message: EmailMessage | bytes
    if item is None:
        message = as_sent(attachments[0].data, sender=sender, recipients=recipients,
                          message_id=mid, publisher=job.settings.publisher)
    else:
        message = compose(item, job.settings, sender=sender, recipients=recipients,
                          message_id=mid, attachments=attachments,
                          exported=set(job.records))
    if mid in receipt.sending:
        job.warn(f"{briefing}: a publish that was stopped may have sent this message "
                 f"already: sent again with the same Message-ID {mid}")
    receipt.sending_letter(mid, briefing)

    refused: dict[str, str] = {}

    def send() -> bool:
        refused.update(mailer.send(message, sender, recipients))
        return True

    if job.attempt(send, briefing, reset=mailer.close) is None:
        return
    # the others have it: sending it again would send it to them twice
    files = {r.path: r.sha256 for r in records}
    receipt.mailed(briefing, Letter(digest, mid, now(), files))
    mailed = Mailed(briefing, mid, tuple(files), sum(r.bytes for r in records))
    job.report.mailed.append(mailed)
    job.display.mailed(job.name, mailed, ", ".join(r for r in recipients if r not in refused))
    if refused:
        said = "; ".join(f"{address} ({reply})" for address, reply in sorted(refused.items()))
        job.fail(briefing, Fault(f"the mail server refused {said}: sent to the other "
                                 "recipients only", stops=False))
