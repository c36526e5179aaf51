"""Where each target is, and what it takes from the output folder.

A target (``[publish.<name>]`` in briefkit.toml) has an address and a
selection.  The selection is made from the engine's manifest alone: the
outputs of the chosen formats, of the briefings whose language, tags and id
match, with the extra files they link (images, web fonts, the logo).  The
collection outputs (feeds, sitemap, front page) belong to a target that does
not choose briefings by language, tag or id: they list every briefing.
"""

from __future__ import annotations

import difflib
import fnmatch
import getpass
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefkit.config import PublishSettings, PublishTarget, Settings, locate_setting
from briefkit.engine.state import Record
from briefkit.errors import ConfigError
from briefkit.publish.faults import PublishError
from briefkit.publish.letters import MESSAGE

#: What an e-mail target attaches when its table names no formats.
MAIL_FORMATS = ("pdf",)


@dataclass(frozen=True)
class Address:
    """A target's address, taken apart: the kind, the server, the folder or the recipients."""

    name: str  # the target's name: [publish.<name>]
    kind: str  # sftp, ftp, ftps, s3, file, mailto
    shown: str  # as written in the settings (which refuse passwords in it)
    host: str = ""
    port: int | None = None
    user: str = ""
    folder: str = ""  # remote folder ("/var/www/briefings"), "bucket/prefix", or a local path
    recipients: tuple[str, ...] = ()


def address_of(name: str, target: PublishTarget, root: Path) -> Address:
    """Where target ``name`` is, from its settings (``root``: the project, for local paths)."""
    kind = target.kind
    if kind == "mailto":
        recipients = tuple(a.strip() for a in target.to[len("mailto:"):].split(","))
        return Address(name, kind, target.to, recipients=recipients)
    if kind == "file":
        parts = urlsplit(target.to)
        path = Path(os.path.expanduser(unquote(parts.path) if "://" in target.to
                                       else target.to))
        folder = str(path if path.is_absolute() else (root / path).resolve())
        return Address(name, kind, target.to, folder=folder.rstrip("/") or "/")
    parts = urlsplit(target.to)
    host = parts.hostname or ""
    remote = unquote(parts.path).rstrip("/")
    if kind == "s3":
        return Address(name, kind, target.to, host=host, folder=f"{host}{remote}")
    user = unquote(parts.username or "") or target.user or (
        getpass.getuser() if kind == "sftp" else "anonymous")
    return Address(name, kind, target.to, host=host, port=parts.port, user=user,
                   folder=remote or ("/" if kind != "sftp" else "."))


def chosen_targets(settings: PublishSettings, names: Sequence[str]) -> list[str]:
    """The targets to publish to: those named (each must exist), else every one."""
    known = list(settings.publish)
    if not known:
        raise PublishError("no publish targets in briefkit.toml: add one, e.g. "
                           '[publish.web] to = "sftp://user@host/var/www/briefings/"')
    for name in names:
        if name not in settings.publish:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise PublishError(f"no target named '{name}' in briefkit.toml: {hint}targets "
                               f"are {', '.join(known)}")
    return list(dict.fromkeys(names)) or known


def check_formats(settings: Settings, name: str, target: PublishTarget,
                  installed: Sequence[str], exported: set[str]) -> None:
    """A format no exporter makes, nor any earlier export made, is a typo: said at its line."""
    for index, wanted in enumerate(target.formats or ()):
        if wanted not in installed and wanted not in exported:
            known = sorted(set(installed) | exported)
            close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problem = locate_setting(settings.root, ("publish", name, "formats", index),
                                     f"no exporter makes '{wanted}': {hint}formats are "
                                     f"{', '.join(known)}")
            raise ConfigError(str(problem), [problem])


@dataclass
class Selection:
    """What one target takes from the output folder, by path, and what could not be told."""

    records: dict[str, Record]
    unknown: list[str]  # briefings whose language and tags the manifest does not know yet


def briefings_known(sources: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What the manifest remembers of each briefing, by id (its source file's name too)."""
    known: dict[str, dict[str, Any]] = {}
    for name, memory in sources.items():
        if isinstance(memory, dict) and isinstance(memory.get("id"), str):
            known[memory["id"]] = {**memory, "source": name}
    return known


def select(records: Mapping[str, Record], target: PublishTarget,
           known: Mapping[str, Mapping[str, Any]]) -> Selection:
    """The outputs target takes, with the extra files they link (none for e-mail)."""
    formats = set(target.formats or (MAIL_FORMATS if target.kind == "mailto" else ()))
    chooses = bool(target.languages or target.tags or target.ids)
    chosen: dict[str, Record] = {}
    unknown: set[str] = set()
    verdicts: dict[str, bool] = {}
    for path, record in records.items():
        if record.extra or (formats and record.format not in formats):
            continue
        if record.briefing is None:
            # a collection lists every briefing; by e-mail, only one that is a message
            if not chooses and (target.kind != "mailto" or record.media_type == MESSAGE):
                chosen[path] = record
            continue
        verdict = verdicts.get(record.briefing)
        if verdict is None:
            verdict = verdicts[record.briefing] = _matches(record.briefing, target, known,
                                                          unknown)
        if verdict:
            chosen[path] = record
    if target.kind != "mailto":
        for record in list(chosen.values()):
            for linked in record.files:
                extra = records.get(linked)
                if extra is not None and extra.extra:
                    chosen[linked] = extra
    return Selection(dict(sorted(chosen.items())), sorted(unknown))


def _matches(briefing: str, target: PublishTarget, known: Mapping[str, Mapping[str, Any]],
             unknown: set[str]) -> bool:
    if target.ids and not any(fnmatch.fnmatchcase(briefing, p) for p in target.ids):
        return False
    if not (target.languages or target.tags):
        return True
    memory = known.get(briefing, {})
    language, tags = memory.get("language"), memory.get("tags")
    if not isinstance(language, str) or not isinstance(tags, list):
        unknown.add(briefing)
        return False
    # "fr" takes fr-CA too; language tags are the same in any case
    language = language.lower()
    if target.languages and not any(
            language == wanted.lower() or language.startswith(f"{wanted.lower()}-")
            for wanted in target.languages):
        return False
    return not target.tags or bool(set(target.tags) & set(tags))
