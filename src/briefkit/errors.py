"""The one error base of briefkit.

Every problem a user can cause (bad input, bad settings, a missing theme, an
unknown format, a full disk) is a :class:`BriefkitError`.  The command line is
the only place that catches it, and prints it as one line per problem.  Any
other exception is a bug in briefkit and is allowed to show its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, located as precisely as we can."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None  # JSON Pointer ("/sections/2/blocks/0/alt"); "" is the root

    def __str__(self) -> str:
        where = _printable(self.file)
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        if self.pointer is not None:
            return f"{where}: {_printable(self.pointer) or '/'}: {_printable(self.message)}"
        return f"{where}: {_printable(self.message)}"


_SHOWN_MAX = 300


def _printable(text: str) -> str:
    """``text`` safe to print on one line: a briefing's field names and values end up
    in messages, and a newline, terminal escape or bidi override must not reach the
    terminal raw; a 100,000-character value is cut short in the middle."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    if len(text) > _SHOWN_MAX:
        # the middle goes: a message starts with what is wrong and ends with what to do
        half = _SHOWN_MAX // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text


class BriefkitError(Exception):
    """Base of every error a user can cause; ``category`` names the kind."""

    category = "error"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []

    def lines(self) -> list[str]:
        """What the command line prints: one line per problem."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [self.message]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class BriefingError(BriefkitError):
    """A briefing file that cannot be read or does not follow the format."""

    category = "invalid briefing"

    @classmethod
    def single(cls, file: str | Path, message: str, **where: object) -> BriefingError:
        problem = Problem(str(file), message, **where)  # type: ignore[arg-type]
        return cls(str(problem), [problem])


class ConfigError(BriefkitError):
    """Project settings (briefkit.toml) that are wrong."""

    category = "invalid settings"


class ThemeError(BriefkitError):
    """A theme that is missing or broken."""

    category = "theme"


class ExporterError(BriefkitError):
    """An unknown or broken exporter."""

    category = "exporter"


class UnsafeReferenceError(BriefkitError):
    """A briefing or theme pointing at something outside its folder."""

    category = "unsafe reference"


class OutputError(BriefkitError):
    """The output folder cannot be written (read-only, full, locked)."""

    category = "output"
