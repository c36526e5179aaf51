"""PDF/UA-1 (ISO 14289-1) with page-validation, on PDFs; run by scripts/gates in gates/.venv.

    gates/.venv/bin/python gates/pdfua.py REPORT_DIR FILE.pdf...

The profile is always PDF/UA-1, whatever the file declares: a PDF that does not declare it, or
is not tagged at all, fails. For each file it writes REPORT_DIR/<file>.json (the checker's own
report) and prints one JSON line: {"file", "failures": [{"rule", "message", "object"}],
"seconds"}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import page


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
    return {"file": str(path), "failures": failures,
            "seconds": round(time.monotonic() - started, 3)}


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
