"""Themes: where they are looked up, what a missing one says, and that switching
theme really changes the PDF (read back by pypdf and poppler)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pypdf
import pytest
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, ROOT, sample

from briefkit.config import Settings
from briefkit.errors import ThemeError
from briefkit.exporters.base import Context
from briefkit.exporters.pdf import PDFExporter
from briefkit.theme import PACKAGED, Theme, installed, load_theme


def make_theme(project: Path, name: str, toml: str, **files: str) -> Path:
    folder = project / "themes" / name
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(toml, "utf-8")
    for relative, text in files.items():
        (folder / relative.replace("__", "/")).write_text(text, "utf-8")
    return folder


def refused(name: str, project: Path) -> list[str]:
    """The lines loading theme ``name`` is refused with."""
    with pytest.raises(ThemeError) as caught:
        load_theme(name, project)
    return caught.value.lines()


def test_project_theme_first_then_packaged_then_default(tmp_path: Path) -> None:
    own = make_theme(tmp_path, "wire", 'name = "wire"\n', **{"style.css": "p { color: red }"})
    theme = load_theme("wire", tmp_path)
    assert theme.folders == (own, PACKAGED / "wire", PACKAGED / "default")
    assert theme.find("style.css") == (own / "style.css").resolve()  # the project's own
    assert theme.find("theme.css") == (PACKAGED / "wire" / "theme.css").resolve()
    assert theme.find("templates/content.html") == (
        PACKAGED / "default" / "templates" / "content.html").resolve()
    assert theme.find("fonts/Inter-Regular.otf") is not None


def test_a_web_pages_stylesheet_is_written_once_for_the_themes_life(tmp_path: Path) -> None:
    from briefkit.render import webfonts

    make_theme(tmp_path, "wire", 'name = "wire"\n', **{"style.css": "p { color: red }"})
    theme = load_theme("wire", tmp_path)
    first = webfonts.stylesheet(theme)
    assert "p { color: red }" in first and webfonts.stylesheet(theme) is first
    # a theme changed is loaded again, and its pages take the change
    (tmp_path / "themes" / "wire" / "style.css").write_text("p { color: blue }", "utf-8")
    assert webfonts.stylesheet(theme) is first
    again = webfonts.stylesheet(load_theme("wire", tmp_path))
    assert "p { color: blue }" in again and "p { color: red }" not in again


def test_packaged_themes_need_no_project(tmp_path: Path) -> None:
    assert {"default", "wire"} <= set(installed(None))
    assert load_theme("wire", tmp_path).folders[0] == PACKAGED / "wire"


def test_a_missing_theme_lists_the_installed_ones(tmp_path: Path) -> None:
    make_theme(tmp_path, "evening", 'name = "evening"\n')
    with pytest.raises(ThemeError) as caught:
        load_theme("broadsheet", tmp_path)
    message = caught.value.message
    assert "broadsheet" in message
    for name in ("default", "evening", "wire"):
        assert name in message


@pytest.mark.parametrize("name", ["../elsewhere", "themes/../../elsewhere", "/tmp", ""])
def test_a_theme_name_is_never_a_path(name: str, tmp_path: Path) -> None:
    make_theme(tmp_path, "ok", "")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "theme.toml").write_text('name = "elsewhere"\n')
    assert refused(name, tmp_path) == [
        f"theme '{name}' not found; installed themes: default, ok, wire"]


def test_every_font_a_packaged_theme_names_is_there() -> None:
    for name in ("default", "wire"):
        theme = load_theme(name)
        assert theme.settings.fonts.files
        for face in theme.settings.fonts.files:
            assert theme.find(face.path) is not None, f"{name}: {face.path}"
    assert (PACKAGED / "default" / "fonts" / "OFL.txt").is_file()


# --- the switch is real -------------------------------------------------------------------


@pytest.fixture(scope="module")
def english_in_both(settings: Settings, tmp_path_factory: pytest.TempPathFactory
                    ) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("themes")
    out = {}
    for name in ("default", "wire"):
        data = PDFExporter().export(sample(ENGLISH), Context(settings, load_theme(name, ROOT))).data
        out[name] = folder / f"{name}.pdf"
        out[name].write_bytes(data)
    return out


def fonts_of(path: Path) -> set[str]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+", 1)[-1] for line in lines}


def test_wire_sets_the_text_in_its_own_fonts(english_in_both: dict[str, Path]) -> None:
    assert any(f.startswith("Charis") for f in fonts_of(english_in_both["default"]))
    assert not any(f.startswith("Charis") for f in fonts_of(english_in_both["wire"]))


def test_wire_is_compact_and_carries_its_footer(english_in_both: dict[str, Path]) -> None:
    default, wire = (pypdf.PdfReader(english_in_both[n]) for n in ("default", "wire"))
    assert len(wire.pages) < len(default.pages)
    wire_text = subprocess.run(["pdftotext", str(english_in_both["wire"]), "-"],
                               capture_output=True, text=True, check=True).stdout
    assert "Partner copy" in wire_text
    assert "Partner copy" not in "".join(p.extract_text() for p in default.pages)


def test_page_size_comes_from_theme_toml(settings: Settings, tmp_path: Path) -> None:
    make_theme(tmp_path, "letter", 'name = "letter"\n[page]\nsize = "Letter"\n')
    data = PDFExporter().export(sample(ENGLISH), Context(settings, load_theme("letter", tmp_path))).data
    (tmp_path / "letter.pdf").write_bytes(data)
    box = pypdf.PdfReader(tmp_path / "letter.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_a_theme_logo_heads_the_printed_masthead(settings: Settings, tmp_path: Path) -> None:
    folder = make_theme(tmp_path, "logo", 'name = "logo"\n[brand]\nlogo = "logo.png"\n')
    (folder / "logo.png").write_bytes((ROOT / "tests/fixtures/images/chart.png").read_bytes())
    french = sample("iran-frappes-bases-americaines-irak")  # a briefing without images
    data = PDFExporter().export(french, Context(settings, load_theme("logo", tmp_path))).data
    (tmp_path / "logo.pdf").write_bytes(data)
    assert len(pypdf.PdfReader(tmp_path / "logo.pdf").pages[0].images) == 1


def test_the_footer_follows_the_direction_of_the_briefing(settings: Settings,
                                                          tmp_path: Path) -> None:
    """Bottom left in English, bottom right in Arabic, on every page."""
    from support.newsrooms import fixture

    wire = load_theme("wire", ROOT)
    for item, on_the_right in ((sample(ENGLISH), False), (fixture("rtl-arabic"), True)):
        # the footer's first word, in the briefing's language (as pdftotext writes it)
        first = wire.settings.brand.footer_in(item.briefing.language).split()[0]
        path = tmp_path / f"{item.id}.pdf"
        path.write_bytes(PDFExporter().export(item, Context(settings, wire)).data)
        html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = html.split("<page ")[1:]
        for page in pages:
            width = float(page.split('width="', 1)[1].split('"', 1)[0])
            starts = [float(line.split('xMin="', 1)[1].split('"', 1)[0])
                      for line in page.splitlines()
                      if line.strip().endswith((f">{first}</word>", f">{first[::-1]}</word>"))]
            assert len(starts) == 1, f"{item.id}: footer missing on a page"
            assert (starts[0] > width / 2) == on_the_right


# --- a theme extends another one ---------------------------------------------------------


def test_a_theme_changing_one_colour_keeps_its_parents_fonts(tmp_path: Path) -> None:
    make_theme(tmp_path, "red", 'extends = "default"\n[colours]\naccent = "#ff0000"\n')
    red, default = load_theme("red", tmp_path), load_theme("default")
    assert red.settings.colours.accent == "#ff0000"
    assert red.settings.colours.text == default.settings.colours.text
    assert red.settings.fonts == default.settings.fonts
    assert red.folders == (tmp_path / "themes" / "red", PACKAGED / "default")


def test_tables_merge_key_by_key_along_the_chain(tmp_path: Path) -> None:
    """compact -> wire -> default: each key from the nearest theme that sets it."""
    make_theme(tmp_path, "compact",
               'extends = "wire"\n[fonts]\nsize = 8\n[page]\nsize = "Letter"\n')
    compact, wire = load_theme("compact", tmp_path), load_theme("wire")
    assert compact.settings.fonts.size == 8
    assert compact.settings.fonts.body == wire.settings.fonts.body == "Inter"
    assert compact.settings.fonts.files == wire.settings.fonts.files
    assert compact.settings.page.margins == wire.settings.page.margins
    assert compact.settings.page.size == "Letter"
    assert compact.settings.brand.footer == wire.settings.brand.footer
    assert compact.folders == (tmp_path / "themes" / "compact", PACKAGED / "wire",
                               PACKAGED / "default")


def test_a_project_default_extends_the_packaged_one(tmp_path: Path) -> None:
    make_theme(tmp_path, "default", 'extends = "default"\n[brand]\nfooter = "Ours"\n')
    theme = load_theme("default", tmp_path)
    assert theme.settings.brand.footer == "Ours"
    assert theme.settings.fonts.files == load_theme("default").settings.fonts.files


def test_themes_extending_each_other_in_a_circle(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_theme(tmp_path, "a", '# first\nextends = "b"\n')
    make_theme(tmp_path, "b", 'extends = "a"\n')
    assert refused("a", tmp_path) == [
        "themes/b/theme.toml:1:1: extends: themes extend each other in a circle (a -> b -> a)"]


def test_an_unknown_parent_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_theme(tmp_path, "orphan", 'name = "orphan"\nextends = "broadsheet"\n')
    assert refused("orphan", tmp_path) == [
        "themes/orphan/theme.toml:2:1: extends: no theme 'broadsheet'; installed themes: "
        "default, orphan, wire"]


def test_a_wrong_value_is_named_in_the_file_that_sets_it(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_theme(tmp_path, "base", '[colours]\n\nrule = "grey"\n')
    make_theme(tmp_path, "child", 'extends = "base"\n[colours]\naccent = "#000"\n')
    assert refused("child", tmp_path) == [
        "themes/base/theme.toml:3:1: colours.rule: 'grey' is not a colour: write it as "
        "'#rrggbb' (or '#rgb')"]


def test_the_pdf_of_a_one_colour_theme_embeds_the_parents_faces(
        settings: Settings, tmp_path: Path) -> None:
    make_theme(tmp_path, "red", 'extends = "default"\n[colours]\naccent = "#ff0000"\n')
    data = PDFExporter().export(sample(ENGLISH), Context(settings, load_theme("red", tmp_path))).data
    (tmp_path / "red.pdf").write_bytes(data)
    faces = fonts_of(tmp_path / "red.pdf")
    assert any(f.startswith("Charis") for f in faces), faces
    assert any(f.startswith("Inter") for f in faces), faces


# --- every letter printed comes from the theme ----------------------------------------------


def test_a_family_the_theme_does_not_carry_is_refused_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_theme(tmp_path, "georgia", 'extends = "default"\n[fonts]\nbody = "Georgia"\n')
    assert refused("georgia", tmp_path) == [
        "themes/georgia/theme.toml:3:1: fonts.body: 'Georgia' has no file in [[fonts.files]]: "
        "a theme carries the faces it names, so that a PDF is the same on every machine"]


def test_files_replaced_by_a_child_name_the_child(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # fonts.files is replaced whole: the parent's headings and fallbacks lose their faces
    monkeypatch.chdir(tmp_path)
    make_theme(tmp_path, "serif", 'extends = "default"\n[fonts]\nfallback = []\n'
               '[[fonts.files]]\nfamily = "Charis SIL"\npath = "fonts/CharisSIL-Regular.ttf"\n')
    assert refused("serif", tmp_path) == [
        f"{PACKAGED / 'default' / 'theme.toml'}:7:1: fonts.headings: 'Inter' has no file in "
        "[[fonts.files]] (the list set in themes/serif/theme.toml): a theme carries the faces "
        "it names, so that a PDF is the same on every machine"]


def test_a_footer_the_theme_cannot_draw_is_refused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_theme(tmp_path, "tokyo", 'extends = "default"\n[brand]\nfooter = "東京 desk"\n')
    assert refused("tokyo", tmp_path) == [
        "themes/tokyo/theme.toml:3:1: brand.footer: '東' (U+6771) is in no face of the theme; "
        "add a font that has it"]


@pytest.mark.parametrize(("toml", "expected"), [
    ("[colours]\n" + "a." * 3000 + "a = 1\n",
     "themes/deep/theme.toml:2:1: colours." + "a." * 15 + "…: nested more than 16 deep "
     "(tables, arrays and dotted keys)"),
    ("[brand]\nfooter = " + "{a = " * 900 + "1" + "}" * 900 + "\n",
     "themes/deep/theme.toml:2:90: nested more than 16 deep (arrays and inline tables)"),
], ids=["dotted-key", "inline-tables"])
def test_a_theme_nested_too_deep_is_one_line(toml: str, expected: str, newsroom: Path) -> None:
    """As measured: a dotted key 3,000 deep was a RecursionError traceback."""
    make_theme(newsroom, "deep", toml)
    settings = newsroom / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8").replace('theme = "default"',
                                                            'theme = "deep"'), "utf-8")
    for command in (("export", "--all", "-f", "html"), ("validate",)):
        result = run_briefkit(*command, cwd=newsroom)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.splitlines()[0] == expected
    assert not (newsroom / "dist").exists()


def test_a_theme_file_is_bounded_as_an_address_writes_it(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A logo or a font is published under its path: 100 letters beyond ASCII are 600
    characters in an address, which no base_url bound could leave room for."""
    monkeypatch.chdir(tmp_path)
    folder = make_theme(tmp_path, "long", f'[brand]\nlogo = "{"é" * 100}/logo.png"\n')
    (folder / ("é" * 100)).mkdir()
    chart = (ROOT / "tests/fixtures/images/chart.png").read_bytes()
    (folder / ("é" * 100) / "logo.png").write_bytes(chart)
    assert refused("long", tmp_path) == [
        "themes/long/theme.toml:2:1: brand.logo: is 609 characters long as an address writes "
        "it (letters beyond ASCII take up to 12): at most 240"]
    (folder / "theme.toml").write_text(f'[brand]\nlogo = "{"é" * 38}/logo.png"\n', "utf-8")
    (folder / ("é" * 38)).mkdir()
    (folder / ("é" * 38) / "logo.png").write_bytes(chart)
    assert load_theme("long", tmp_path).settings.brand.logo == f"{'é' * 38}/logo.png"


def characters_briefkit_prints(language: str) -> str:
    """What briefkit itself writes in a briefing of ``language``: labels, dates, quotes."""
    from dataclasses import astuple
    from datetime import datetime, timedelta, timezone

    from briefkit.model import Briefing
    from briefkit.render.dates import dateline, long_date
    from briefkit.render.labels import labels_for
    from briefkit.render.typography import typeset

    moment = datetime(2020, 9, 28, 23, 45, tzinfo=timezone(timedelta(hours=1)))
    texts = [*astuple(labels_for(language)), long_date(moment, language)]
    for month in range(1, 13):
        published = moment.replace(month=month)
        briefing = Briefing.model_validate({
            "id": "x", "title": "x", "language": language, "published": published.isoformat(),
            "updated": (published + timedelta(days=1)).isoformat(),
            "sections": [{"blocks": [{"type": "paragraph", "text": "x"}]}]})
        texts.append(dateline(briefing))
    texts.append(typeset('He said "it is \'over\'" : 3 h 20 ? Yes ! 1/2 — 2020–2021…', language))
    return "".join(texts)


@pytest.mark.parametrize("name", ["default", "wire"])
@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "it", "pt", "nl", "ar", "he"])
def test_packaged_themes_draw_all_they_print_in_every_language_they_label(
        name: str, language: str) -> None:
    # what the theme claims: every language briefkit has words for, in its own faces
    theme = load_theme(name)
    assert theme.undrawable(characters_briefkit_prints(language)) == []
    assert theme.undrawable("Αθήνα Москва Ελλάδα ğüşçö ąęł ő ř ß ﷺ 🚀 ✓ ★ €£¥") == []


# --- the faces' coverage tables, kept between processes ------------------------------------


def _forget_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a fresh process: nothing known of the faces; reading a character map fails."""
    from briefkit.theme import fonts

    def unread(path: Path, size: int, modified: int) -> frozenset[int]:
        raise AssertionError(f"{path.name}: its character map was read again")

    monkeypatch.setattr(fonts, "_known", {})
    monkeypatch.setattr(fonts, "_characters", unread)


def test_coverage_tables_are_kept_in_the_cache_by_the_faces_digest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from briefkit.engine.cache import StateCache

    folder = make_theme(tmp_path, "scripts", 'name = "scripts"\n')
    (folder / "fonts").mkdir()
    face = folder / "fonts" / "Script.ttf"
    face.write_bytes((PACKAGED / "default" / "fonts" / "NotoSansHebrew-Regular.ttf").read_bytes())
    cache = tmp_path / ".briefkit" / "cache"

    def theme() -> Theme:
        return replace(load_theme("scripts", tmp_path), keep=StateCache(cache).get)

    hebrew = theme().drawn_by(face)
    assert ord("א") in hebrew and ord("ب") not in hebrew
    assert len(list(cache.iterdir())) == 1  # made once, kept
    with monkeypatch.context() as fresh:
        _forget_coverage(fresh)
        assert theme().drawn_by(face) == hebrew  # read back, not made again
    # another face under the same name: another digest, another table
    face.write_bytes((PACKAGED / "default" / "fonts" / "Amiri-Regular.ttf").read_bytes())
    os.utime(face, ns=(1, 1))
    arabic = theme().drawn_by(face)
    assert ord("ب") in arabic and ord("א") not in arabic
    assert len(list(cache.iterdir())) == 2


def test_a_kept_table_that_is_not_one_is_made_again(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from briefkit.engine.cache import StateCache
    from briefkit.engine.seals import entry_name, seal
    from briefkit.theme import coverage, digest_of, fonts

    monkeypatch.setattr(fonts, "_known", {})  # as a fresh process

    theme = load_theme("default")
    face = theme.find("fonts/NotoSansHebrew-Regular.ttf")
    assert face is not None
    key = coverage.table_key(digest_of(face))
    cache = tmp_path / "cache"
    cache.mkdir()
    # sealed as the cache seals, under the right key, but no table: the face is read again
    (cache / entry_name(key)).write_bytes(seal(key, coverage.MARK + b"every letter"))
    drawn = replace(theme, keep=StateCache(cache).get).drawn_by(face)
    assert ord("א") in drawn and ord("ب") not in drawn
    assert coverage.is_table((cache / entry_name(key)).read_bytes()[-len(coverage.encode(drawn)):])


@pytest.mark.parametrize("face", ["Inter-Regular.otf", "CharisSIL-Bold.ttf"])
def test_a_subset_keeps_the_names_fonttools_would(face: str) -> None:
    """``subset_face`` prunes the name table itself (fontTools walks every lookup to find
    the names in use): the same bytes as fontTools' subsetter pruning it, names its
    features' parameters refer to (the stylistic sets' labels, over 255) kept."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from briefkit.theme.fonts import subset_face

    path = PACKAGED / "default" / "fonts" / face
    text, features = "Stylistic sets: 0123 ‘a’ → ß", ["*"]
    options = subset.Options()
    options.layout_features = features
    options.name_IDs, options.name_languages = ["*"], ["*"]
    options.notdef_outline, options.recalc_timestamp = True, False
    options.drop_tables += ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]
    with TTFont(path, recalcTimestamp=False, lazy=True) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    ours = subset_face(path, text, features)
    assert ours == out.getvalue()
    kept = {record.nameID for record in TTFont(io.BytesIO(ours))["name"].names}
    assert max(kept) > 255  # a feature's label: its stylistic sets are named
