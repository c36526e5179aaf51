"""What each target holds of ours: a receipt per target in ``.briefkit/receipts/``.

``<target>.json`` lists every file briefkit published there (size, sha256,
when it was sent), and for an e-mail target every briefing version mailed
(its Message-ID and files).  A publish sends what differs from it and nothing
else, without listing the remote.

While a publish runs, ``<target>.journal`` gets one line per step, appended
before the step (the temporary name about to be written on the remote, the
message about to be sent) and after it (a file landed, a file removed), so a
publish killed at any moment leaves a true account: the next one removes the
temporary names, and counts what landed.  At the end the journal is folded
into the receipt, written atomically, and emptied.

A receipt is input like any run state: read back defensively, never through a
symbolic link, every path a plain relative name.  A damaged one is dropped
with a warning (everything is sent again), never a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefkit.engine.output import atomic_write, cannot_write, safe_name
from briefkit.errors import OutputError
from briefkit.files import display_path

RECEIPTS = "receipts"
VERSION = 1


def now() -> str:
    """The time a file landed, as the receipt writes it (UTC, to the second)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Sent:
    """One file as it landed on the target."""

    size: int
    sha256: str
    sent: str  # when
    md5: str = ""  # what S3 reports as the ETag of a single-part upload


@dataclass(frozen=True)
class Letter:
    """One briefing version mailed: its Message-ID and the files attached."""

    digest: str  # of the attached files' names and checksums
    message_id: str
    sent: str
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256


def _sent(entry: Any) -> Sent | None:
    if not isinstance(entry, dict):
        return None
    size, sha, when, md5 = (entry.get(k) for k in ("size", "sha256", "sent", "md5"))
    if (not isinstance(size, int) or size < 0 or not isinstance(sha, str)
            or not isinstance(when, str) or not isinstance(md5, str | None)):
        return None
    return Sent(size, sha, when, md5 or "")


def _letter(entry: Any) -> Letter | None:
    if not isinstance(entry, dict):
        return None
    digest, message_id, when, files = (entry.get(k) for k in
                                       ("digest", "message_id", "sent", "files"))
    if (not isinstance(digest, str) or not isinstance(message_id, str)
            or not isinstance(when, str) or not isinstance(files, dict)
            or not all(safe_name(p) and isinstance(s, str) for p, s in files.items())):
        return None
    return Letter(digest, message_id, when, dict(files))


def _not_a_link(path: Path) -> None:
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise OutputError(f"{display_path(path)}: is a symbolic link; briefkit keeps its "
                              "receipts in plain files: remove it and publish again")
    except FileNotFoundError:
        pass


class Receipt:
    """One target's receipt, with its journal; safe to note steps from several threads."""

    def __init__(self, home: Path, name: str, to: str) -> None:
        self.folder = home / RECEIPTS
        self.path = self.folder / f"{name}.json"
        self.journal = self.folder / f"{name}.journal"
        self.name, self.to = name, to
        self.files: dict[str, Sent] = {}
        self.letters: dict[str, Letter] = {}  # briefing id -> the version mailed
        self.parts: set[str] = set()  # temporary names that may be left on the remote
        self.sending: dict[str, str] = {}  # Message-ID -> briefing, maybe sent
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._fd: int | None = None
        self.dirty = False

    # --- reading ---------------------------------------------------------------------

    @classmethod
    def read(cls, home: Path, name: str, to: str) -> Receipt:
        """The receipt of target ``name`` at address ``to``, with its journal replayed."""
        receipt = cls(home, name, to)
        receipt._read()
        return receipt

    def _bytes(self, path: Path) -> bytes | None:
        _not_a_link(self.folder)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OutputError(f"{display_path(path)}: is a symbolic link; briefkit keeps "
                                  "its receipts in plain files: remove it and publish "
                                  "again") from None
            raise cannot_write(path, error) from None
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def _read(self) -> None:
        data = self._bytes(self.path)
        if data is not None:
            self._take(data)
        journal = self._bytes(self.journal)
        if journal:
            self.dirty = True
            for line in journal.splitlines():
                try:
                    self._replay(json.loads(line))
                except (ValueError, TypeError, AttributeError):
                    continue  # a line cut short by a killed publish: its step did not finish

    def _take(self, data: bytes) -> None:
        shown = display_path(self.path)
        try:
            content = json.loads(data)
            if not isinstance(content, dict) or content.get("version") != VERSION:
                raise ValueError("not a receipt of this version")
        except ValueError as error:
            self.warnings.append(f"{shown}: damaged receipt ({error}): everything is sent "
                                 "again")
            self.dirty = True
            return
        if content.get("to") != self.to:
            self.warnings.append(f"{shown}: the target's address changed (was "
                                 f"{content.get('to')!r}): everything is sent again")
            self.dirty = True
            return
        files, letters, parts = (content.get(k) for k in ("files", "letters", "parts"))
        dropped = 0
        for path, entry in (files.items() if isinstance(files, dict) else ()):
            sent = _sent(entry)
            if sent is None or safe_name(path) is None:
                dropped += 1
            else:
                self.files[path] = sent
        for briefing, entry in (letters.items() if isinstance(letters, dict) else ()):
            letter = _letter(entry)
            if letter is None:
                dropped += 1
            else:
                self.letters[briefing] = letter
        for part in (parts if isinstance(parts, list) else ()):
            if safe_name(part) is not None:
                self.parts.add(part)
        if dropped:
            self.warnings.append(f"{shown}: ignored {dropped} damaged entries: those files "
                                 "are sent again")
            self.dirty = True

    def _replay(self, step: dict[str, Any]) -> None:
        if "part" in step and safe_name(step["part"]):
            if step.get("gone"):
                self.parts.discard(step["part"])
            else:
                self.parts.add(step["part"])
        if "landed" in step and safe_name(step["landed"]):
            sent = _sent(step)
            if sent is not None:
                self.files[step["landed"]] = sent
        if "removed" in step:
            self.files.pop(step["removed"], None)
        if "sending" in step and isinstance(step.get("briefing"), str):
            self.sending[step["sending"]] = step["briefing"]
        if "mailed" in step and isinstance(step["mailed"], str):
            letter = _letter(step.get("letter"))
            if letter is not None:
                self.letters[step["mailed"]] = letter
                self.sending.pop(letter.message_id, None)

    # --- noting steps (the journal) -----------------------------------------------------

    def _note(self, step: dict[str, Any]) -> None:
        line = (json.dumps(step, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.dirty = True
            try:
                if self._fd is None:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    _not_a_link(self.folder)
                    self._fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT
                                       | os.O_NOFOLLOW, 0o644)
                # One write per line: a kill leaves whole lines, or a last one cut short
                # that reading skips.  No fsync: a killed process loses nothing written.
                os.write(self._fd, line)
            except OSError as error:
                raise cannot_write(self.journal, error) from None
            self._replay(step)

    def part(self, part: str) -> None:
        """A temporary name is about to be written on the remote."""
        self._note({"part": part})

    def part_gone(self, part: str) -> None:
        """A temporary name is no longer on the remote."""
        self._note({"part": part, "gone": True})

    def landed(self, path: str, sent: Sent, part: str | None = None) -> None:
        """A file is in place on the remote, whole."""
        step: dict[str, Any] = {"landed": path, **asdict(sent)}
        if part is not None:
            step.update(part=part, gone=True)
        self._note(step)

    def removed(self, path: str) -> None:
        """A file briefkit published is no longer on the remote."""
        self._note({"removed": path})

    def forget(self, paths: list[str]) -> None:
        """Files the remote no longer holds as sent (changed or removed by someone else)."""
        for path in paths:
            self._note({"removed": path})

    def sending_letter(self, message_id: str, briefing: str) -> None:
        """A message is about to be handed to the mail server."""
        self._note({"sending": message_id, "briefing": briefing})

    def mailed(self, briefing: str, letter: Letter) -> None:
        """The mail server took the message."""
        self._note({"mailed": briefing, "letter": asdict(letter)})

    def forget_letters(self, briefings: list[str]) -> None:
        """Briefings no longer exported: their messages are history."""
        with self._lock:
            for briefing in briefings:
                if self.letters.pop(briefing, None) is not None:
                    self.dirty = True

    # --- writing ---------------------------------------------------------------------

    def save(self) -> None:
        """Fold the journal into the receipt, written atomically, and empty the journal."""
        with self._lock:
            if not self.dirty:
                return
            content = {
                "version": VERSION, "target": self.name, "to": self.to,
                "files": {p: asdict(s) for p, s in sorted(self.files.items())},
                "letters": {b: asdict(m) for b, m in sorted(self.letters.items())},
                "parts": sorted(self.parts),
            }
            # One file per line: readable, diffable, and the C encoder stays fast.
            text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
            text = text.replace('},"', '},\n"') + "\n"
            try:
                _not_a_link(self.folder)
                _not_a_link(self.path)
                atomic_write(self.path, text.encode("utf-8"))
                if self._fd is not None:
                    os.close(self._fd)
                    self._fd = None
                _not_a_link(self.journal)
                self.journal.unlink(missing_ok=True)
            except OSError as error:
                raise cannot_write(self.path, error) from None
            self.dirty = False

    def close(self) -> None:
        """Let go of the journal (without folding it: the next publish reads it)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
