"""``briefkit publish``: what was exported, delivered to the targets, and said so."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from briefkit.cli.settings import project_settings


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish to the targets named (default: all), and print what happened."""
    from briefkit import publish as publishing

    settings = project_settings(args)
    shown: publishing.Display
    if args.quiet or args.json:
        shown = publishing.Display()
    elif sys.stderr.isatty() and not args.dry_run:
        shown = publishing.Bars()
    else:
        shown = publishing.Log()
    report = publishing.publish(settings, args.targets, dry_run=args.dry_run,
                                verify=args.verify, prune=args.prune,
                                out=Path(args.out).resolve() if args.out else None,
                                display=shown)
    again = "would be sent again" if args.dry_run else "sent again"
    for target in report.targets:
        for path, how in target.changed:
            print(f"{target.name}: {path}: changed on the remote by someone else ({how}); "
                  f"{again}", file=sys.stderr)
        for path in target.missing:
            print(f"{target.name}: {path}: removed from the remote by someone else; {again}",
                  file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for failure in report.failed:
        print(str(failure), file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0 if report.ok else 1
    if args.quiet:
        return 0 if report.ok else 1
    for target in report.targets if args.dry_run else ():
        for item in target.sent:
            print(f"{target.name}: would send {item.path} ({item.bytes:,} bytes)")
        for mailed in target.mailed:
            print(f"{target.name}: would mail {mailed.briefing} ({', '.join(mailed.files)}; "
                  f"{mailed.bytes:,} bytes)")
        for item in target.removed:
            print(f"{target.name}: would remove {item.path} ({item.bytes:,} bytes)")
    for target in report.targets:
        print(publishing.summary(target, args.dry_run))
    for ping in report.pings:
        if ping.ok is not False:
            told = "would tell" if ping.ok is None else "told"
            print(f"websub: {told} {ping.hub} that {ping.feed} changed")
    return 0 if report.ok else 1
