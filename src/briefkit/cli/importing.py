"""``briefkit import``: a briefing made from another format, written into source/ safely."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def cmd_import(args: argparse.Namespace) -> int:
    """Import a file as a briefing: to stdout, or into a file or folder of source/."""
    from briefkit.config import load_settings
    from briefkit.engine.output import atomic_write
    from briefkit.errors import ConfigError, OutputError
    from briefkit.files import display_path
    from briefkit.importers import dumps, ids_in, image_files, import_file

    target = Path(args.output) if args.output else None
    folder = target if target is not None and target.is_dir() else None
    # ids must stay apart across the source folder validate reads (else the target's own)
    used: dict[str, Path] = {}
    if target is not None:
        try:
            source = load_settings(Path.cwd()).source_dir
        except ConfigError:
            source = (Path.cwd() / "source").resolve()
        place = (folder if folder is not None else target.parent).resolve()
        used = ids_in(source if place.is_relative_to(source) else place)

    def holder(briefing_id: str) -> Path | None:
        """The briefing file already using an id, unless it is the file to replace."""
        held = used.get(briefing_id)
        replaced = (folder / f"{briefing_id}.json" if folder is not None else target) \
            if args.replace else None
        if held is None or (replaced is not None and \
                os.path.realpath(held) == os.path.realpath(replaced)):
            return None
        return held

    def taken(briefing_id: str) -> str | None:
        existing = folder / f"{briefing_id}.json" if folder is not None else None
        if existing is not None and not args.replace and os.path.lexists(existing):
            return display_path(existing)
        held = holder(briefing_id)
        return display_path(held) if held is not None else None

    files: dict[str, bytes] | None = {} if target is not None else None
    briefing = import_file(
        Path(args.file), id=args.id, title=args.title, language=args.language,
        published=args.published, authors=args.author or [],
        note=lambda message: print(f"note: {message}", file=sys.stderr), taken=taken,
        warn=lambda message: print(f"warning: {message}", file=sys.stderr), files=files,
    )
    if target is None:
        text = dumps(briefing)
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return 0
    if folder is not None:
        target = folder / f"{briefing['id']}.json"
    shown = display_path(target)
    other = "--id to give the briefing another id" if folder is not None \
        else "name another file with -o"
    refusal = f"{shown} exists: pass --replace to replace it, or {other}"
    replaced = os.path.lexists(target)
    if replaced and not args.replace:
        raise OutputError(refusal)
    held = holder(briefing["id"])
    if held is not None:
        # two files with one id: validate would refuse the folder
        raise OutputError(f"{display_path(held)} already uses the id '{briefing['id']}': pass "
                          "--id to give the briefing another id")
    images = image_files(briefing, files or {}, target.parent, args.replace)
    text = dumps(briefing)
    # written beside under a random name, made exclusively, and moved in place: a failed
    # write never leaves half a briefing in source/, and no link planted there is ever
    # written through; without --replace the move fails if the name was taken since.  The
    # images first: a briefing is never written naming an image that is not there.
    written: list[Path] = []
    writing = target
    try:
        for writing, data in images.items():
            atomic_write(writing, data, exclusive=not args.replace)
            written.append(writing)
        writing = target
        atomic_write(target, text.encode("utf-8"), exclusive=not args.replace,
                     make_folders=False)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, FileExistsError):
            raise OutputError(f"{display_path(writing)} exists: pass --replace to replace it"
                              if writing != target else refusal) from None
        raise OutputError(f"cannot write {writing} ({error.strerror})") from None
    for path in written:
        print(f"wrote {display_path(path)}", file=sys.stderr)
    print(f"{'replaced' if replaced else 'wrote'} {shown}", file=sys.stderr)
    return 0
