"""PDF/UA-1 (ISO 14289-1) with page-validation, on PDFs; run by scripts/gates in gates/.venv.

    gates/.venv/bin/python gates/pdfua.py REPORT_DIR FILE.pdf...

The profile is always PDF/UA-1, whatever the file declares: a PDF that does not declare it, or
is not tagged at all, fails. page-validation 0.11 does not check Matterhorn 15-003 (a TH
without a Scope attribute in a table not organised with Headers and IDs), which veraPDF does:
that one is checked here on the structure tree, with pypdf. For each file it writes
REPORT_DIR/<file>.json (the checker's own report) and prints one JSON line:
{"file", "failures": [{"rule", "message", "object"}], "seconds"}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import page
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

TH_SCOPE = "Matterhorn-15-003"


def check(path: Path, report_dir: Path) -> dict[str, object]:
    """The PDF/UA-1 failures of one PDF, its report written under report_dir."""
    started = time.monotonic()
    failures: list[dict[str, object]] = []
    try:
        report = page.validate_pdf(path, profile=page.ValidationProfile.PDF_UA_1)
    except page.PageError as error:
        failures.append({"rule": type(error).__name__, "message": str(error), "object": None})
        (report_dir / f"{path.name}.json").write_text(json.dumps({"error": str(error)}))
    else:
        (report_dir / f"{path.name}.json").write_text(report.to_json())
        for failure in report.failures:
            obj = failure.object_id
            failures.append({
                "rule": failure.rule_id,
                "message": failure.message,
                "object": f"{obj.object_number} {obj.generation} R" if obj else None,
            })
    failures.extend(table_headers_without_scope(path))
    return {"file": str(path), "failures": failures,
            "seconds": round(time.monotonic() - started, 3)}


def _attributes(element: DictionaryObject) -> list[DictionaryObject]:
    found = element.get("/A")
    found = found.get_object() if found is not None else None
    if isinstance(found, DictionaryObject):
        return [found]
    if isinstance(found, ArrayObject):
        return [a.get_object() for a in found
                if isinstance(a.get_object(), DictionaryObject)]
    return []


def _kids(element: DictionaryObject) -> list[tuple[DictionaryObject, IndirectObject | None]]:
    kids = element.get("/K")
    kids = kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []
    found = []
    for kid in kids:
        obj = kid.get_object()
        if isinstance(obj, DictionaryObject) and "/S" in obj:
            found.append((obj, kid if isinstance(kid, IndirectObject) else None))
    return found


def table_headers_without_scope(path: Path) -> list[dict[str, object]]:
    """Matterhorn 15-003: each TH of a table whose cells carry no Headers has a Scope."""
    try:
        root = PdfReader(path).trailer["/Root"].get_object().get("/StructTreeRoot")
    except Exception as error:  # a file pypdf cannot read is page-validation's to report
        return [{"rule": TH_SCOPE, "message": f"structure tree unreadable: {error}",
                 "object": None}]
    if root is None:
        return []
    root = root.get_object()
    role_map = root.get("/RoleMap")
    role_map = role_map.get_object() if role_map is not None else {}

    def role(element: DictionaryObject) -> str:
        name = element["/S"]
        for _ in range(8):  # a role map may chain, never loop
            mapped = role_map.get(name)
            if not isinstance(mapped, NameObject):
                break
            name = mapped
        return str(name)

    failures: list[dict[str, object]] = []
    stack = _kids(root)
    while stack:
        element, ref = stack.pop()
        if role(element) != "/Table":
            stack.extend(_kids(element))
            continue
        cells: list[tuple[DictionaryObject, IndirectObject | None]] = []
        inside = _kids(element)
        while inside:
            cell, cell_ref = inside.pop()
            if role(cell) in ("/TH", "/TD"):
                cells.append((cell, cell_ref))
            inside.extend(_kids(cell))
        if any("/Headers" in a for cell, _ in cells for a in _attributes(cell)):
            continue
        for cell, cell_ref in cells:
            if role(cell) == "/TH" and not any("/Scope" in a for a in _attributes(cell)):
                failures.append({
                    "rule": TH_SCOPE,
                    "message": "a TH structure element has no Scope attribute, and its table"
                               " is not organised with Headers and IDs",
                    "object": f"{cell_ref.idnum} {cell_ref.generation} R" if cell_ref else None,
                })
    return failures


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: pdfua.py REPORT_DIR FILE.pdf...", file=sys.stderr)
        return 2
    report_dir = Path(argv[0])
    report_dir.mkdir(parents=True, exist_ok=True)
    for name in argv[1:]:
        print(json.dumps(check(Path(name), report_dir), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
