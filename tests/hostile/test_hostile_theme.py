"""A theme that points outside its folder: relative paths climbing out, symlinks,
absolute files.  Nothing outside the theme and source folders is read into any
output; the PDF fails with a clear line and the other formats still export.

A theme that tries to run code (templates reaching Python through Jinja), to write
a script into every page (theme.toml values closing the style element) or to stall
the run (sizes of nan or a billion points, a FIFO for a template): one line each.

(References to the network and to ``file:`` URLs are covered beside the PDF
exporter's own tests.)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FRENCH, sample

from briefkit.config import Settings
from briefkit.errors import BriefkitError, ThemeError, UnsafeReferenceError
from briefkit.render import html
from briefkit.theme import PACKAGED, Theme, load_theme

SECRET = "SECRET-OUTSIDE-THE-THEME"


def evil_theme(project: Path, css: str) -> Path:
    """Project theme 'evil' with ``css`` as its additions, and secrets just outside it."""
    folder = project / "themes" / "evil"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('name = "evil"\n', "utf-8")
    (folder / "theme.css").write_text(css, "utf-8")
    (project / "secret.css").write_text(f'body::before {{ content: "{SECRET}"; }}\n', "utf-8")
    (project / "secret.txt").write_text(SECRET, "utf-8")
    return folder


def test_theme_files_are_confined_to_the_theme(tmp_path: Path) -> None:
    folder = evil_theme(tmp_path, "")
    os.symlink(tmp_path / "secret.txt", folder / "linked.css")
    theme = load_theme("evil", tmp_path)
    for reference in ("../../secret.txt", "linked.css", "/etc/passwd"):
        with pytest.raises(UnsafeReferenceError) as caught:
            theme.find(reference)
        assert caught.value.lines() == [
            f"theme 'evil': {reference!r} points outside the theme folder"]


@pytest.mark.parametrize(("css", "refused"), [
    # a theme's CSS follows the default's rules, and CSS ignores an @import after rules:
    # nothing is fetched, nothing fails
    ('@import url("../../secret.css");', None),
    ('body { background: url("../../secret.txt"); }', "secret.txt"),
    ('body { background: url("linked.png"); }', "linked.png"),  # a symlink leading out
    ('body { background: url("/etc/passwd"); }', "/etc/passwd"),
], ids=["import", "background", "symlink", "absolute"])
def test_pdf_never_reads_outside_the_theme(css: str, refused: str | None,
                                           newsroom: Path) -> None:
    folder = evil_theme(newsroom, css)
    os.symlink(newsroom / "secret.txt", folder / "linked.png")
    result = run_briefkit("export", f"source/{ENGLISH}.json", "--theme", "evil",
                          "-f", "pdf", "-f", "html", cwd=newsroom)
    assert "Traceback" not in result.stderr
    dist = newsroom / "dist"
    for path in dist.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert (dist / f"{ENGLISH}.html").is_file()  # the other format exports either way
    if refused is None:
        assert result.returncode == 0, result.stderr
        assert "secret" not in subprocess.run(
            ["pdftotext", str(dist / f"{ENGLISH}.pdf"), "-"], capture_output=True,
            text=True, check=True).stdout.lower()
        return
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"source/{ENGLISH}.json: pdf: "), lines
    assert refused in lines[0] and "refused reference" in lines[0]
    assert not (dist / f"{ENGLISH}.pdf").exists()


def test_the_other_briefings_export_when_the_theme_is_bad(newsroom: Path) -> None:
    evil_theme(newsroom, 'body { background: url("../../secret.txt"); }')
    result = run_briefkit("export", "--all", "--theme", "evil", "-f", "pdf", "-f", "docx",
                          cwd=newsroom)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = {line.split(":")[0] for line in result.stderr.splitlines()}
    assert failed == {f"source/{ENGLISH}.json", f"source/{FRENCH}.json"}
    assert sorted(p.name for p in (newsroom / "dist").glob("*.docx")) == sorted(
        [f"{ENGLISH}.docx", f"{FRENCH}.docx"])
    # nor anything the run remembers (the manifest, in the run state)
    for path in (newsroom / ".briefkit").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


# --- a theme never runs code -------------------------------------------------------------


def template_theme(project: Path, **templates: str) -> Theme:
    """Project theme 'evil' whose templates/ hold ``templates`` (name -> text)."""
    folder = project / "themes" / "evil"
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "theme.toml").write_text('name = "evil"\n', "utf-8")
    for name, text in templates.items():
        (folder / "templates" / name).write_text(text, "utf-8")
    (project / "secret.txt").write_text(SECRET, "utf-8")
    return load_theme("evil", project)


def render_content(theme: Theme, settings: Settings) -> str:
    return html.content(sample(ENGLISH), theme, settings)


def refusal(theme: Theme, settings: Settings) -> list[str]:
    with pytest.raises(BriefkitError) as caught:
        render_content(theme, settings)
    return caught.value.lines()


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch PWNED') }}",
    "{{ lipsum.__globals__['os'].popen('touch PWNED').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
], ids=["cycler", "self", "lipsum", "subclasses"])
def test_a_template_cannot_run_code(payload: str, tmp_path: Path, settings: Settings,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    theme = template_theme(tmp_path, **{"content.html": f"<p>\n{payload}\n</p>"})
    lines = refusal(theme, settings)
    assert len(lines) == 1 and lines[0].startswith("themes/evil/templates/content.html:2: "), lines
    assert "is not open to a theme" in lines[0] or "unsafe" in lines[0], lines
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("payload", [
    "{{ settings.root.joinpath('secret.txt').read_text() }}",
    "{{ settings.source_dir.parent.joinpath('secret.txt').read_text() }}",
    "{{ settings.parse_file(settings.root ~ '/secret.txt') }}",
    "{{ briefing.model_validate_json('{}') }}",
    # an attribute allowed on one type, then the same name on another: each type decides
    "{{ {}.copy() }}{{ briefing.copy() }}",
], ids=["root", "source-dir", "parse-file", "pydantic", "same-name-after-a-safe-one"])
def test_a_template_cannot_reach_files_through_the_context(payload: str, tmp_path: Path,
                                                           settings: Settings) -> None:
    local = settings.model_copy(update={"root": tmp_path})
    theme = template_theme(tmp_path, **{"content.html": payload})
    lines = refusal(theme, local)
    assert len(lines) == 1 and "is not open to a theme" in lines[0], lines
    assert SECRET not in lines[0]


def test_an_include_never_follows_a_link_out_of_the_theme(tmp_path: Path,
                                                          settings: Settings) -> None:
    theme = template_theme(tmp_path, **{"content.html": '{% include "leak.html" %}'})
    os.symlink(tmp_path / "secret.txt", tmp_path / "themes/evil/templates/leak.html")
    lines = refusal(theme, settings)
    assert lines == ["theme 'evil': template 'leak.html' points outside the theme folder"]


@pytest.mark.timeout(10)
def test_an_include_of_a_fifo_or_device_never_hangs(tmp_path: Path, settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    theme = template_theme(tmp_path, **{"content.html": '{% include "pipe.html" %}'})
    os.mkfifo(tmp_path / "themes/evil/templates/pipe.html")
    assert refusal(theme, settings) == [
        "theme 'evil': themes/evil/templates/pipe.html: is not a regular file"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("payload", "refused"), [
    ("{{ 'x' * 100000000 }}", "a str of over 1,000,000 items"),
    ("{{ [0] * 100000000 }}", "a list of over 1,000,000 items"),
    ("{{ 10 ** 100000000 }}", "a power of 100000000: at most 100"),
    ("{{ 'x' | center(999999999) }}", "a number over 1,000,000 (999999999)"),
    ("{{ 'x'.ljust(999999999) }}", "a number over 1,000,000 (999999999)"),
    ("{{ '%999999999s' % 'x' }}", "a format with a width or precision over six digits"),
    ("{{ '%999999999s' | format('x') }}", "a format with a width or precision over six digits"),
    ("{{ '{:>999999999}'.format('x') }}", "a format with a width or precision over six digits"),
    ("{{ '{:{}}'.format(1.5, '.99999999f') }}",
     "a format with a width or precision over six digits"),
], ids=["str", "list", "power", "center", "ljust", "percent", "format-filter", "str-format",
        "nested-spec"])
def test_a_template_cannot_build_a_huge_value(payload: str, refused: str, tmp_path: Path,
                                              settings: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    theme = template_theme(tmp_path, **{"content.html": payload})
    assert refusal(theme, settings) == [f"themes/evil/templates/content.html:1: {refused}"]


def test_small_widths_and_products_still_work(tmp_path: Path, settings: Settings) -> None:
    theme = template_theme(tmp_path, **{"content.html": (
        "{{ '-' * 3 }}|{{ 'ok' | center(6) }}|{{ '%3s' % 'a' }}|{{ '{:>3}'.format('b') }}|"
        "{{ 2 ** 10 }}|{{ 7 % 4 }}")})
    assert render_content(theme, settings) == "---|  ok  |  a|  b|1024|3"


def test_a_briefings_text_that_looks_like_a_format_is_only_text(tmp_path: Path,
                                                                settings: Settings) -> None:
    # a footnote after a percentage, a long decimal: passed to a macro or a filter, they
    # are never read as a format, so nothing refuses them
    theme = template_theme(tmp_path, **{"content.html": (
        "{% macro m(x) %}{{ x }}{% endmacro %}"
        "{{ m('turnout 12%* of 3.14159265') }}|{{ '12%*' | upper }}|"
        "{{ '%s' | format('%*%*') }}")})
    assert render_content(theme, settings) == "turnout 12%* of 3.14159265|12%*|%*%*"


def test_a_template_mistake_is_one_line_with_its_place(tmp_path: Path, settings: Settings,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    theme = template_theme(tmp_path, **{"content.html": "<p>\n{% if %}\n"})
    (line,) = refusal(theme, settings)
    assert line.startswith("themes/evil/templates/content.html:2: ")
    theme = template_theme(tmp_path, **{"content.html": "<p>\n\n{{ nothing.here }}\n"})
    (line,) = refusal(theme, settings)
    assert line == "themes/evil/templates/content.html:3: 'nothing' is undefined"


def test_the_packaged_templates_render_in_the_sandbox(settings: Settings) -> None:
    assert isinstance(html.environment(load_theme("default")), SandboxedEnvironment)
    page = html.content(sample(ENGLISH), load_theme("wire"), settings)
    assert "<article" in page


# --- theme.toml values: checked, never written into a page as they came ------------------


def toml_theme(project: Path, toml: str) -> Path:
    folder = project / "themes" / "evil"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "theme.toml").write_text(toml, "utf-8")
    return folder / "theme.toml"


def theme_refusal(project: Path, toml: str) -> list[str]:
    toml_theme(project, toml)
    with pytest.raises(ThemeError) as caught:
        load_theme("evil", project)
    return caught.value.lines()


@pytest.mark.parametrize(("toml", "expected"), [
    ('[fonts]\nbody = "x\\"; } </style><script>alert(1)</script>"\n',
     "2:1: fonts.body: 'x\"; } </style><script>alert(1)</script>' is not a font family name"),
    ('[fonts]\nfallback = ["Amiri", "A;B"]\n', "2:1: fonts.fallback.1: 'A;B' is not a font"),
    ("[fonts]\nsize = nan\n", "2:1: fonts.size: nan is not a text size: give points from 5 to 48"),
    ("[fonts]\nsize = inf\n", "2:1: fonts.size: inf is not a text size"),
    ("[fonts]\nsize = -inf\n", "2:1: fonts.size: -inf is not a text size"),
    ("[fonts]\nsize = 0\n", "2:1: fonts.size: 0.0 is not a text size"),
    ("[fonts]\nsize = -3\n", "2:1: fonts.size: -3.0 is not a text size"),
    ("[fonts]\nsize = 1e9\n", "2:1: fonts.size: 1000000000.0 is not a text size"),
    ('[fonts]\nsize = "12pt"\n', "2:1: fonts.size: expected a number, got '12pt'"),
    ('\n[colours]\n  accent = "red; } body { display: none"\n',
     "3:3: colours.accent: 'red; } body { display: none' is not a colour"),
    ('[colours]\naccent = "#b0171f\\n"\n', "2:1: colours.accent: '#b0171f\\n' is not a colour"),
    ('[brand]\nfooter = "line\\u0000break"\n',
     "2:1: brand.footer: control character U+0000 at position 5"),
    ('[brand]\nmasthead = "two\\nlines"\n',
     "2:1: brand.masthead: control character U+000A at position 4"),
    ('[page]\nmargins = "22mm; } * { display: none"\n', "2:1: page.margins: "),
    ('[page]\nmargins = "2000mm"\n', "2:1: page.margins: '2000mm': 2000mm is over 60 mm"),
    ('[brand]\nlogo = "../../secret.png"\n', "2:1: brand.logo: '../../secret.png' is not a file"),
    ("[[fonts.files]]\nfamily = \"Inter\"\npath = \"fonts/Inter-Regular.otf\"\n"
     "[[fonts.files]]\nfamily = \"Inter\"\npath = \"fonts/Inter-Bold.otf\"\nweight = 7000\n",
     "7:1: fonts.files.1.weight: 7000 is not a font weight"),
    ('[fontz]\nsize = 9\n', "1:1: fontz: unknown key (did you mean 'fonts'?)"),
    ('extends = "../../etc"\n', "1:1: extends: '../../etc' is not a theme name"),
], ids=lambda v: v[:24] if isinstance(v, str) else v)
def test_every_theme_value_is_checked(toml: str, expected: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = theme_refusal(tmp_path, toml)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"themes/evil/theme.toml:{expected}"), lines
    assert lines[0].isprintable()


def test_a_font_that_is_not_a_font_and_a_logo_that_is_not_an_image(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = toml_theme(tmp_path, '[brand]\nlogo = "logo.png"\n\n[[fonts.files]]\n'
                        'family = "Fake"\npath = "fonts/Fake.ttf"\n').parent
    (folder / "fonts").mkdir()
    (folder / "fonts" / "Fake.ttf").write_bytes(b"\x00\x01\x00\x00" + b"not really" * 100)
    (folder / "logo.png").write_text("<svg onload='alert(1)'/>", "utf-8")
    with pytest.raises(ThemeError) as caught:
        load_theme("evil", tmp_path)
    assert caught.value.lines() == [
        "themes/evil/theme.toml:6:1: fonts.files.0.path: Fake.ttf is not a font "
        "(TrueType, OpenType, WOFF or WOFF2)",
        "themes/evil/theme.toml:2:1: brand.logo: logo.png is not an image",
    ]


def test_a_font_cut_short_is_not_a_font(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A face whose tables run past its end (a download cut short) is refused when the
    theme loads, not halfway through an export."""
    monkeypatch.chdir(tmp_path)
    folder = toml_theme(tmp_path, '[[fonts.files]]\nfamily = "Cut"\npath = "Cut.otf"\n').parent
    whole = (PACKAGED / "default" / "fonts" / "Inter-Regular.otf").read_bytes()
    (folder / "Cut.otf").write_bytes(whole[:5000])
    with pytest.raises(ThemeError) as caught:
        load_theme("evil", tmp_path)
    assert caught.value.lines() == [
        "themes/evil/theme.toml:3:1: fonts.files.0.path: Cut.otf is not a font "
        "(TrueType, OpenType, WOFF or WOFF2)"]


def test_a_missing_font_or_a_font_link_leading_out_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = toml_theme(tmp_path, '[[fonts.files]]\nfamily = "Gone"\npath = "fonts/Gone.ttf"\n'
                        '[[fonts.files]]\nfamily = "Out"\npath = "Out.ttf"\n').parent
    (folder / "Out.ttf").symlink_to(PACKAGED / "default" / "fonts" / "Amiri-Regular.ttf")
    with pytest.raises(ThemeError) as caught:
        load_theme("evil", tmp_path)
    assert caught.value.lines() == [
        "themes/evil/theme.toml:3:1: fonts.files.0.path: 'fonts/Gone.ttf' not found in "
        "the theme folders",
        "themes/evil/theme.toml:6:1: fonts.files.1.path: theme 'evil': 'Out.ttf' points "
        "outside the theme folder",
    ]


def test_a_short_colour_is_written_in_full(tmp_path: Path) -> None:
    toml_theme(tmp_path, '[colours]\naccent = "#0AF"\n')
    assert load_theme("evil", tmp_path).settings.colours.accent == "#00aaff"


def test_theme_css_cannot_close_the_style_element(tmp_path: Path, settings: Settings) -> None:
    """A theme's own CSS stays CSS: '</style><script>' in it never opens a script."""
    from lxml import html as lxml_html

    folder = evil_theme(tmp_path, 'p::after { content: "</style><script>alert(1)</script>"; }')
    (folder / "theme.toml").write_text('[brand]\nfooter = "</style><script>x</script>"\n')
    theme = load_theme("evil", tmp_path)
    page = html.page(sample(ENGLISH), theme, settings, css=html.stylesheet(theme))
    tree = lxml_html.document_fromstring(page)
    assert tree.xpath("//script") == []
    (style,) = tree.xpath("//style")
    assert "alert(1)" in style.text_content()
    printed = html.stylesheet(theme, print_media=True)
    assert "</" not in printed


def test_a_theme_running_code_fails_its_outputs_only(newsroom: Path) -> None:
    """The real command line: the web pages fail with one line each, naming the template
    and its line; Word documents, which use no template, export; nothing runs."""
    folder = newsroom / "themes" / "evil" / "templates"
    folder.mkdir(parents=True)
    (folder.parent / "theme.toml").write_text('extends = "default"\n', "utf-8")
    (folder / "content.html").write_text(
        "<p>\n{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}\n", "utf-8")
    result = run_briefkit("export", "--all", "--theme", "evil", "-f", "html", "-f", "docx",
                          cwd=newsroom)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert sorted(result.stderr.splitlines()) == [
        f"source/{name}.json: html: themes/evil/templates/content.html:2: '__init__' of a "
        "type is not open to a theme" for name in sorted([ENGLISH, FRENCH])]
    assert sorted(p.name for p in (newsroom / "dist").iterdir() if p.suffix == ".docx") == \
        sorted([f"{ENGLISH}.docx", f"{FRENCH}.docx"])
    assert not (newsroom / "PWNED").exists()


def test_a_bad_theme_toml_stops_the_run_before_anything_is_written(newsroom: Path) -> None:
    folder = newsroom / "themes" / "evil"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(
        'extends = "default"\n[fonts]\nsize = nan\nbody = "x</style><script>"\n', "utf-8")
    result = run_briefkit("export", "--all", "--theme", "evil", "-f", "html", cwd=newsroom)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "themes/evil/theme.toml:3:1: fonts.size: nan is not a text size: give points from "
        "5 to 48",
        "themes/evil/theme.toml:4:1: fonts.body: 'x</style><script>' is not a font family "
        "name: letters, digits, single spaces, '-' and '.' only, at most 80 characters",
    ]
    assert not (newsroom / "dist").exists()
