"""scripts/gates: the standards checkers fail where they must (negative controls) and the
command refuses what it cannot do. The checkers themselves are installed by `make gates`;
without them these tests skip and say so."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, ROOT

SCRIPT = ROOT / "scripts" / "gates"


def gates_script() -> ModuleType:
    """scripts/gates as a module, to ask it which of its tools are installed."""
    loader = importlib.machinery.SourceFileLoader("briefkit_gates_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # its dataclasses look their module up there
    loader.exec_module(module)
    return module


def need(*tools: str) -> None:
    """Skip, naming what is missing, unless these gates' tools are installed."""
    missing = gates_script().missing_tools(set(tools))
    if missing:
        pytest.skip(f"gate tools not installed ({', '.join(missing)}): `make gates` installs them")


def gates(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def findings(report: Path) -> dict[tuple[str, str], list[str]]:
    """DIR/findings.txt as {(tool, file name): [finding, ...]}."""
    found: dict[tuple[str, str], list[str]] = {}
    for line in (report / "findings.txt").read_text(encoding="utf-8").splitlines():
        tool, file, finding = line.split("\t", 2)
        found.setdefault((tool, Path(file).name), []).append(finding)
    return found


def rules(found: dict[tuple[str, str], list[str]], tool: str, name: str) -> set[str]:
    return {finding.split(" ", 1)[0] for finding in found.get((tool, name), [])}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English sample's web page and EPUB, exported by the real command line."""
    folder = tmp_path_factory.mktemp("newsroom")
    (folder / "source").mkdir()
    (folder / "briefkit.toml").write_bytes((ROOT / "briefkit.toml").read_bytes())
    for path in (ROOT / "source").rglob("*"):
        if path.is_file() and (path.suffix != ".json" or path.stem == ENGLISH):
            target = folder / "source" / path.relative_to(ROOT / "source")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    done = run_briefkit("export", "--all", "-f", "html", "-f", "epub", "--out", "out",
                        cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / "out"


# --- the command -----------------------------------------------------------------------

def test_a_report_folder_inside_the_output_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "a.pdf").write_bytes(b"%PDF-1.7\n")
    done = gates(tmp_path / "dist", "--report", tmp_path / "dist" / "report")
    assert done.returncode == 2
    assert "inside the output folder" in done.stderr


def test_an_output_folder_with_nothing_to_check_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"PK")
    done = gates(tmp_path, "--report", tmp_path.parent / f"{tmp_path.name}-report")
    assert done.returncode == 2
    assert "no EPUB, web page or PDF" in done.stderr


def test_an_unknown_tool_is_refused(tmp_path: Path) -> None:
    done = gates(tmp_path, "--only", "axe,wave")
    assert done.returncode == 2
    assert "unknown tool wave" in done.stderr


# --- negative controls: each gate can fail ---------------------------------------------

def test_an_untagged_pdf_fails_pdf_ua(tmp_path: Path) -> None:
    need("pdfua", "qpdf", "pdffonts")
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    pdf = tmp_path / "dist" / "untagged.pdf"
    pdf.parent.mkdir()
    with open(pdf, "wb") as out:
        writer.write(out)
    report = tmp_path / "report"
    done = gates(pdf.parent, "--report", report)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^FAIL +pdfua +dist/untagged\.pdf +\d+ findings", done.stdout, re.MULTILINE)
    # qpdf and pdffonts have nothing against a well-formed page without text.
    assert re.search(r"^ok +qpdf +dist/untagged\.pdf", done.stdout, re.MULTILINE)
    assert re.search(r"^ok +pdffonts +dist/untagged\.pdf", done.stdout, re.MULTILINE)
    found = rules(findings(report), "pdfua", "untagged.pdf")
    assert {"PDFUA1-TAGGED-DOCUMENT-001", "PDFUA1-STRUCT-TREE-ROOT-001"} <= found
    assert (report / "pdfua" / "untagged.pdf.json").is_file()


def damaged_pdf_with_a_system_font(path: Path) -> None:
    """A PDF written by hand: Helvetica neither embedded nor mapped to Unicode, and no
    cross-reference table (a reader has to rebuild it)."""
    content = b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    data = b"%PDF-1.7\n" + b"".join(
        b"%d 0 obj\n%s\nendobj\n" % (number, body) for number, body in enumerate(objects, 1))
    path.write_bytes(data + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n")


def test_a_damaged_pdf_fails_qpdf_and_a_system_font_fails_pdffonts(tmp_path: Path) -> None:
    need("qpdf", "pdffonts")
    (tmp_path / "dist").mkdir()
    damaged_pdf_with_a_system_font(tmp_path / "dist" / "damaged.pdf")
    report = tmp_path / "report"
    done = gates(tmp_path / "dist", "--only", "qpdf,pdffonts", "--report", report)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^FAIL +qpdf +dist/damaged\.pdf", done.stdout, re.MULTILINE)
    found = findings(report)
    assert rules(found, "qpdf", "damaged.pdf") == {"qpdf-warning"}
    assert rules(found, "pdffonts", "damaged.pdf") == {
        "font-not-embedded", "font-without-tounicode"}
    assert (report / "qpdf" / "damaged.pdf.txt").is_file()


def tagged_table(path: Path, scope: bool) -> None:
    """A one-page PDF whose structure tree is a table: a header cell over a data cell, the
    data cell naming no Headers; the header cell has a Scope when ``scope``."""
    def element(role: str, kids: list[DictionaryObject], **attributes: str) -> DictionaryObject:
        found = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                  NameObject("/S"): NameObject(f"/{role}"),
                                  NameObject("/K"): ArrayObject(kids)})
        if attributes:
            found[NameObject("/A")] = DictionaryObject(
                {NameObject(f"/{k}"): NameObject(f"/{v}") for k, v in attributes.items()})
        return found

    header = element("TH", [], O="Table", **({"Scope": "Column"} if scope else {}))
    table = element("Table", [element("TR", [header]), element("TR", [element("TD", [])])])
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.root_object[NameObject("/StructTreeRoot")] = DictionaryObject({
        NameObject("/Type"): NameObject("/StructTreeRoot"), NameObject("/K"): ArrayObject([table])})
    with open(path, "wb") as out:
        writer.write(out)


def test_a_table_header_without_scope_fails(tmp_path: Path) -> None:
    need("pdfua")
    (tmp_path / "dist").mkdir()
    tagged_table(tmp_path / "dist" / "no-scope.pdf", scope=False)
    tagged_table(tmp_path / "dist" / "scope.pdf", scope=True)
    report = tmp_path / "report"
    done = gates(tmp_path / "dist", "--only", "pdfua", "--report", report)
    assert done.returncode == 1, done.stdout + done.stderr
    found = findings(report)
    assert "Matterhorn-15-003" in rules(found, "pdfua", "no-scope.pdf")
    assert "Matterhorn-15-003" not in rules(found, "pdfua", "scope.pdf")


@pytest.mark.slow
def test_a_page_without_lang_fails_vnu_and_axe(request: pytest.FixtureRequest,
                                               tmp_path: Path) -> None:
    need("vnu", "axe")
    exported: Path = request.getfixturevalue("exported")
    page = exported / f"{ENGLISH}.html"
    html = page.read_text(encoding="utf-8")
    stripped, count = re.subn(r'(<html\b[^>]*?) lang="[^"]*"', r"\1", html, count=1)
    assert count == 1
    no_lang = exported / "no-lang.html"
    no_lang.write_text(stripped, encoding="utf-8")
    report = tmp_path / "report"
    done = gates(page, no_lang, "--only", "vnu,axe", "--report", report)
    no_lang.unlink()
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^FAIL +vnu +\S*no-lang\.html", done.stdout, re.MULTILINE)
    assert re.search(r"^FAIL +axe +\S*no-lang\.html", done.stdout, re.MULTILINE)
    found = findings(report)
    assert "html-has-lang" in rules(found, "axe", "no-lang.html")
    assert "html-has-lang" not in rules(found, "axe", page.name)
    lang_warning = [f for f in found[("vnu", "no-lang.html")] if "lang" in f]
    assert lang_warning, found[("vnu", "no-lang.html")]
    assert not [f for f in found.get(("vnu", page.name), []) if "lang” attribute" in f]


@pytest.mark.slow
def test_an_epub_image_without_alt_fails_ace(request: pytest.FixtureRequest,
                                             tmp_path: Path) -> None:
    need("ace")
    exported: Path = request.getfixturevalue("exported")
    book = exported / f"{ENGLISH}.epub"
    doctored = io.BytesIO()
    removed = 0
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(doctored, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".xhtml"):
                text, n = re.subn(r'(<img\b[^>]*?) alt="[^"]*"', r"\1", data.decode("utf-8"))
                removed += n
                data = text.encode("utf-8")
            target.writestr(info, data)
    assert removed >= 1
    no_alt = tmp_path / "dist" / "no-alt.epub"
    no_alt.parent.mkdir()
    no_alt.write_bytes(doctored.getvalue())
    report = tmp_path / "report"
    done = gates(book, no_alt, "--only", "ace", "--report", report)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^FAIL +ace +\S*no-alt\.epub +\d+ findings?: .*image-alt", done.stdout,
                     re.MULTILINE)
    found = findings(report)
    assert "image-alt" in rules(found, "ace", "no-alt.epub")
    assert "image-alt" not in rules(found, "ace", book.name)
    assert (report / "ace" / "no-alt" / "report.json").is_file()


@pytest.mark.slow
def test_an_epub_without_its_mimetype_fails_epubcheck(request: pytest.FixtureRequest,
                                                      tmp_path: Path) -> None:
    need("epubcheck")
    exported: Path = request.getfixturevalue("exported")
    broken = tmp_path / "dist" / "no-mimetype.epub"
    broken.parent.mkdir()
    with zipfile.ZipFile(exported / f"{ENGLISH}.epub") as source, \
            zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            if info.filename != "mimetype":
                target.writestr(info, source.read(info))
    report = tmp_path / "report"
    done = gates(broken, "--only", "epubcheck", "--report", report)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^FAIL +epubcheck +\S*no-mimetype\.epub", done.stdout, re.MULTILINE)
    assert "PKG-006" in rules(findings(report), "epubcheck", "no-mimetype.epub")
