"""The command line: the one place that turns a BriefkitError into a message and an exit code.

Exit codes: 0 all good, 1 something in the input or the run was wrong
(reported one line each), 2 the command itself was misused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefkit.cli.importing import cmd_import
from briefkit.cli.publishing import cmd_publish
from briefkit.cli.settings import overrides, project_settings
from briefkit.errors import BriefingError, BriefkitError


def cmd_validate(args: argparse.Namespace) -> int:
    from briefkit.load import discover, load_all
    from briefkit.theme import load_theme

    # the settings and the theme first: every export needs both, so a folder is never
    # called valid that no export could use (bad settings stop here, one line each)
    settings = project_settings(args)
    try:
        load_theme(settings.theme, settings.root)
        theme_fault = ""
    except BriefkitError as error:
        _print_error(error)
        theme_fault = f"; theme '{settings.theme}' invalid"
    paths = [Path(p) for p in args.paths] or discover(settings.source_dir)
    if not paths:
        print(f"no briefings in {settings.source}/", file=sys.stderr)
        return 1
    bad = 0
    for result in load_all(paths, settings.source_dir):
        if isinstance(result, BriefingError):
            bad += 1
            for line in result.lines():
                print(line, file=sys.stderr)
    good = len(paths) - bad
    failed = bool(bad or theme_fault)
    if not args.quiet:
        print(f"{good} valid, {bad} invalid{theme_fault}",
              file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from briefkit import engine
    from briefkit.engine.project import open_project

    if not args.all and not args.paths:
        print("briefkit export: name briefings to export, or use --all", file=sys.stderr)
        return 2
    if args.since is not None:
        from briefkit.config import period

        try:  # checked as [email] digest_since is, but said as the command line's
            period(args.since)
        except ValueError as error:
            print(f"briefkit export: --since: {error}", file=sys.stderr)
            return 2
    out = Path(args.out).resolve() if args.out else None
    project = open_project(Path.cwd(), overrides(args), out)
    settings, theme = project.settings, project.theme
    if args.jobs is not None and args.jobs < 1:
        print("briefkit export: --jobs needs a number of processes, 1 or more", file=sys.stderr)
        return 2
    scheduler, problem = _scheduler(args)
    if problem:
        print(f"briefkit export: {problem}", file=sys.stderr)
        return 2
    from briefkit import progress

    shown: engine.Progress
    if args.quiet or args.json:
        shown = engine.Progress()
    elif sys.stderr.isatty():
        shown = progress.Bars()
    else:
        shown = progress.Log(project.output.name)
    try:
        report = engine.export(
            settings, theme, formats=args.format, paths=[Path(p) for p in args.paths] or None,
            out=project.output, progress=shown, jobs=args.jobs, force=args.force,
            scheduler=scheduler, prune=args.prune,
        )
    finally:
        if isinstance(shown, progress.Bars):
            shown.close()
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for failure in report.failed:
        print(str(failure), file=sys.stderr)
        if failure.bug:
            print(failure.bug, file=sys.stderr)
    for line in report.kept_lines():
        print(line, file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    elif not args.quiet:
        linked = len(report.written) - len(report.outputs)
        also = f" (and {linked} files they link)" if linked else ""
        print(f"{len(report.outputs)} outputs written{also}, {len(report.skipped)} up to date, "
              f"{len(report.removed)} removed, {len(report.failed)} failed "
              f"in {report.seconds:.1f} s in {report.executor}")
    return 0 if report.ok else 1


def _scheduler(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The Dask scheduler asked for, by ``--scheduler`` or else ``BRIEFKIT_SCHEDULER``
    (never the settings alone: the engine says why), and what is wrong with it."""
    import os

    from briefkit.config import scheduler_address

    given, where = args.scheduler, "--scheduler"
    if given is None:
        given, where = os.environ.get("BRIEFKIT_SCHEDULER") or None, "BRIEFKIT_SCHEDULER"
    if given is None or given == "from-settings":
        return given, None
    try:
        return scheduler_address(given), None
    except ValueError as error:
        return None, f"{where}: {error} (or 'from-settings')"


def cmd_clean(args: argparse.Namespace) -> int:
    from briefkit.engine.cache import empty

    if not args.cache:
        print("briefkit clean: name what to empty: --cache", file=sys.stderr)
        return 2
    removed = empty(Path.cwd())
    print(f"removed {removed} from .briefkit/cache/")
    return 0


def cmd_exporters(args: argparse.Namespace) -> int:
    from briefkit import registry

    for name, kind, filename, description in registry.describe():
        print(f"{name:<10} {kind:<10} {filename:<16} {description}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from briefkit.model import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from briefkit.engine.output import atomic_write
        from briefkit.errors import OutputError

        try:  # replaced whole, never written through a link at that name
            atomic_write(Path(args.output), text.encode("utf-8"), make_folders=False)
        except OSError as error:
            raise OutputError(f"cannot write {args.output} ({error.strerror})") from None
    else:
        sys.stdout.write(text)
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    from briefkit.theme import installed

    for name in installed(Path.cwd()):
        print(name)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
        import watchfiles  # noqa: F401
    except ImportError as error:
        print(f"briefkit serve: needs the serve extra (pip install 'briefkit[serve]'): "
              f"{error}", file=sys.stderr)
        return 1
    from briefkit.engine.project import open_project
    from briefkit.serve import serve

    # opened as export opens it: what export refuses is refused before anything listens
    project = open_project(Path.cwd(), overrides(args))
    serve(project, host=args.host, port=args.port, open_browser=args.open)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return number


class _Version(argparse.Action):
    """``--version``: the installed version, read from the package's metadata only when
    asked (every other command starts without it)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from briefkit import __version__

        sys.stdout.write(f"briefkit {__version__}\n")
        parser.exit()


def parser() -> argparse.ArgumentParser:
    from briefkit.config import PDF_VARIANTS
    main = argparse.ArgumentParser(
        prog="briefkit",
        description="Export newsroom briefings to PDF, Word, EPUB and feeds.",
    )
    main.add_argument("--version", action=_Version, help="show the version and exit")
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check briefings and report every problem")
    p.add_argument("paths", nargs="*", metavar="PATH", help="briefing files (default: source/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("export", help="export briefings to every format, or those named")
    p.add_argument("paths", nargs="*", metavar="PATH", help="briefing files to export")
    p.add_argument("--all", action="store_true", help="every briefing in source/")
    p.add_argument("-f", "--format", action="append", metavar="FORMAT",
                   help="a format to export (repeatable; default: all installed)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: dist/)")
    p.add_argument("--theme", metavar="NAME", help="theme to use (default: from briefkit.toml)")
    p.add_argument("--pdf-variant", metavar="VARIANT", choices=PDF_VARIANTS,
                   help="pdf/ua-1 (default, accessible), pdf/a-3b (archival), pdf/a-3u or none")
    p.add_argument("--since", metavar="PERIOD",
                   help="the period the digest gathers, back from the newest briefing, e.g. "
                        "24h, 7d (default: [email] digest_since, else 24h)")
    p.add_argument("-j", "--jobs", type=_positive, metavar="N",
                   help="processes to export with (default: every core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="export on a Dask cluster, e.g. tcp://scheduler:8786, or "
                        "'from-settings' for [engine] scheduler in briefkit.toml (default: "
                        "$BRIEFKIT_SCHEDULER, else this machine)")
    p.add_argument("--force", action="store_true",
                   help="make every output again, even those up to date")
    p.add_argument("--prune", action="store_true",
                   help="remove the outputs of briefings no longer in source/, even all of them")
    p.add_argument("--json", action="store_true",
                   help="print a machine-readable report (written, skipped, failed, timings)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("publish", help="send what changed in dist/ to the targets of "
                                       "briefkit.toml (web host, partners)")
    p.add_argument("targets", nargs="*", metavar="TARGET",
                   help="targets to publish to ([publish.<name>]; default: every one)")
    p.add_argument("--dry-run", action="store_true",
                   help="say what would be sent and removed, with sizes; change nothing")
    p.add_argument("--verify", action="store_true",
                   help="list each remote first: report files changed or removed there by "
                        "someone else, and send them again")
    p.add_argument("--prune", action="store_true",
                   help="remove from the targets what briefkit published and no longer "
                        "exports (as prune = true does)")
    p.add_argument("--out", metavar="DIR", help="the output folder to publish (default: dist/)")
    p.add_argument("--json", action="store_true",
                   help="print a machine-readable report (sent, removed, failed, per target)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.set_defaults(run=cmd_publish)

    p = sub.add_parser("clean", help="empty what the run state keeps to go faster")
    p.add_argument("--cache", action="store_true",
                   help="empty the exporters' cache, .briefkit/cache/ (web fonts, Word font "
                        "subsets, made again when needed); refused while a run is at work")
    p.set_defaults(run=cmd_clean)

    p = sub.add_parser("exporters", help="list the installed formats")
    p.set_defaults(run=cmd_exporters)

    p = sub.add_parser("themes", help="list the themes this project can use")
    p.set_defaults(run=cmd_themes)

    p = sub.add_parser("schema", help="print the JSON Schema of the briefing format")
    p.add_argument("-o", "--output", metavar="FILE", help="write it to FILE")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("serve", help="preview every format in a browser while editing")
    p.add_argument("--port", type=_port, default=8000,
                   help="port to listen on (default: 8000; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--open", action="store_true", help="open the preview in a browser")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("import",
                       help="make a briefing from CMS text, HTML, Markdown or a ninjs item")
    p.add_argument("file", metavar="FILE", help="the article to import")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write the briefing to OUT (a folder: OUT/<id>.json; default: stdout)")
    p.add_argument("--id", help="the briefing's id (default: made from the title)")
    p.add_argument("--title", metavar="T", help="the title (CMS text has none)")
    p.add_argument("--language", metavar="L", help="language tag, e.g. fr (default: guessed)")
    p.add_argument("--published", metavar="DATETIME",
                   help="publication date-time, e.g. 2020-01-08T11:45:00+01:00")
    p.add_argument("--author", action="append", metavar="NAME",
                   help="an author (repeatable; replaces the file's authors)")
    p.add_argument("--replace", action="store_true",
                   help="replace a briefing already written under the same name (default: an "
                        "id made from the title takes the next free one, any other is refused)")
    p.set_defaults(run=cmd_import)
    return main


def _print_error(error: BriefkitError) -> None:
    """One line per problem (each names its file); a lone message names the program."""
    for line in error.lines():
        print(f"briefkit: {line}" if not error.problems else line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BriefkitError as error:
        _print_error(error)
        return 1
    except KeyboardInterrupt:
        print("briefkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
