"""The ninjs news item, checked against IPTC's official ninjs 3.2 and 3.1 JSON Schemas
(jsonschema, draft 2020-12 with format checking), read back with json and lxml, and its
renditions compared with the files a real export run wrote."""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from support.commands import run_briefkit
from support.exports import DOCX, export_with, made
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, ROOT, SAMPLES, fixture, sample

from briefkit import inline, registry
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings, load_settings
from briefkit.errors import ConfigError
from briefkit.exporters.base import Context, OutputInfo
from briefkit.exporters.ninjs import NinjsExporter
from briefkit.load import load
from briefkit.model import Paragraph
from briefkit.render.typography import typeset
from briefkit.theme import Theme, load_theme

#: IPTC's schemas, copied unchanged into the tests' data (see the README beside them).
STANDARDS = FIXTURES / "ninjs" / "iptc"
SCHEMAS = {version: STANDARDS / f"ninjs-schema_{version}.json" for version in ("3.2", "3.1")}
BASE = "https://briefings.example.org/"
BRIEFINGS = sorted(SAMPLES.glob("*.json")) + sorted(FIXTURES.glob("*.json"))
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


def _uri(value: object) -> bool:
    """RFC 3986: a scheme, then only ASCII characters a URI may carry (no spaces)."""
    if not isinstance(value, str):
        return True
    return bool(URI_SCHEME.match(urlsplit(value).scheme)) and re.fullmatch(
        r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", value) is not None


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(value)
    return True


@functools.cache
def validator(version: str) -> Draft202012Validator:
    """The official schema of a version, with "uri" and "date-time" checked even where
    jsonschema's own checkers (extra packages) are not installed."""
    checker = FormatChecker()
    if "uri" not in checker.checkers:
        checker.checks("uri")(_uri)
    if "date-time" not in checker.checkers:
        checker.checks("date-time", raises=ValueError)(_date_time)
    schema = json.loads(SCHEMAS[version].read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=checker)


def problems(item: dict[str, Any], version: str | None = None) -> list[str]:
    """What the schema of ``version`` (else of the version the item names) finds wrong."""
    version = version or item.get("standard", {}).get("version", "3.2")
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(version).iter_errors(item)]


def export(item: BriefingFile, settings: Settings, theme: Theme,
           outputs: dict[str, dict[str, OutputInfo]] | None = None) -> tuple[dict[str, Any],
                                                                             dict[str, bytes]]:
    exported = export_with(NinjsExporter(), item, settings, theme, outputs)
    return json.loads(exported.data), dict(exported.files)


def write(tmp_path: Path, briefing: dict[str, Any]) -> BriefingFile:
    path = tmp_path / f"{briefing['id']}.json"
    path.write_text(json.dumps(briefing), "utf-8")
    return load(path, tmp_path)


@pytest.fixture(scope="module")
def english(settings: Settings, theme: Theme) -> dict[str, Any]:
    outputs = {ENGLISH: made(ENGLISH, html=41_610, pdf=103_081, epub=20_500, docx=40_210)}
    return export(sample(ENGLISH), settings, theme, outputs)[0]


# --- the official schema ---------------------------------------------------------------


@pytest.mark.parametrize("version", sorted(SCHEMAS))
def test_the_format_checks_catch_what_they_should(version: str) -> None:
    # the stand-in checkers must refuse what the schema's formats refuse
    assert problems({"uri": "https://example.org/a b"}, version)
    assert problems({"uri": "https://example.org/", "versionCreated": "2020-01-08 07:00"},
                    version)
    assert problems({"uri": "https://example.org/", "headlines": [{"role": "main"}]}, version)
    assert not problems({"uri": "https://example.org/%C3%A9"}, version)
    assert problems({"headlines": [{"value": "No uri"}]}, version)


def pinned(version: str) -> Settings:
    """The settings of the project, its partners taking ninjs ``version``."""
    return load_settings(ROOT, {"ninjs": {"version": version}})


@pytest.mark.parametrize("version", ["3.2", "3.1"])
@pytest.mark.parametrize("path", BRIEFINGS, ids=lambda p: p.stem)
def test_every_sample_and_fixture_is_a_valid_ninjs_item(path: Path, version: str,
                                                        theme: Theme) -> None:
    item = load(path, path.parent)
    outputs = {item.id: made(item.id, html=1_000, pdf=2_000, epub=3_000, docx=4_000)}
    news, _ = export(item, pinned(version), theme, outputs)
    assert news["standard"] == {
        "name": "ninjs", "version": version,
        "schema": f"http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json#"}
    assert problems(news, version) == []
    assert news["type"] == "text"


def test_the_project_writes_ninjs_3_2_unless_it_pins_3_1(settings: Settings,
                                                         theme: Theme) -> None:
    news, _ = export(sample(ENGLISH), settings, theme)
    assert news["standard"]["version"] == "3.2"
    assert problems(news, "3.2") == []


@pytest.mark.parametrize("written, message", [
    ('"3.0"', 'ninjs.version: "3.0" is not a ninjs version briefkit writes: "3.2" or "3.1"'),
    ("3.1", 'ninjs.version: a version is text: write it in quotes, version = "3.1"'),
])
def test_a_version_briefkit_does_not_write_is_one_located_line(
        newsroom: Path, written: str, message: str) -> None:
    settings = newsroom / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8") + f"\n[ninjs]\nversion = {written}\n",
                        "utf-8")
    line = settings.read_text("utf-8").count("\n")
    result = run_briefkit("validate", cwd=newsroom)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"briefkit.toml:{line}:1: {message}"]


def test_a_briefing_with_every_optional_field_missing_is_valid(
        tmp_path: Path, settings: Settings, theme: Theme) -> None:
    item = write(tmp_path, {"id": "bare", "title": "Bare", "language": "de",
                            "published": "2024-05-01T08:00:00+02:00",
                            "sections": [{"heading": "Nur eine Überschrift"}]})
    news, files = export(item, settings, theme)
    assert problems(news) == []
    assert files == {}
    for key in ("by", "people", "subjects", "descriptions", "renditions", "associations",
                "copyrightNotice"):
        assert key not in news


# --- what the item says ------------------------------------------------------------------


def test_identity_dates_and_language(english: dict[str, Any], settings: Settings,
                                     theme: Theme) -> None:
    assert english["uri"] == "https://briefings.example.org/night-bus-network.html"
    assert english["slugline"] == ENGLISH
    assert english["firstCreated"] == "2020-01-08T07:00:00+00:00"
    assert english["versionCreated"] == "2020-01-08T16:30:00+00:00"
    assert english["language"] == "en-GB"
    french, _ = export(sample(FRENCH), settings, theme)
    # no url of its own: its web page under base_url identifies it
    assert french["uri"] == BASE + FRENCH + ".html"
    assert french["versionCreated"] == french["firstCreated"] == "2020-01-08T11:45:00+01:00"


def test_headlines_descriptions_and_rights(english: dict[str, Any]) -> None:
    briefing = sample(ENGLISH).briefing
    assert english["headlines"] == [
        {"role": "main", "value": briefing.title},
        {"role": "subhead", "value": "Six routes, a flat fare and a six-month trial"},
    ]
    roles = {d["role"]: d for d in english["descriptions"]}
    assert set(roles) == {"lead", "summary"}
    assert roles["summary"]["value"] == briefing.summary
    assert "*" not in roles["lead"]["value"] and roles["lead"]["contentType"] == "text/plain"
    assert english["copyrightNotice"] == briefing.rights


def test_byline_and_people_with_their_roles(english: dict[str, Any]) -> None:
    assert english["by"] == "Amira Haddad and Tom Price"
    assert english["people"] == [
        {"name": "Amira Haddad", "rel": "transport correspondent",
         "contactInfo": [{"type": "email", "value": "amira.haddad@example.org"}]},
        {"name": "Tom Price", "rel": "author", "uri": "https://example.org/staff/tom-price"},
    ]
    assert [s["name"] for s in english["subjects"]] == ["transport", "Riverton", "night economy"]


def test_french_typography_in_every_text(settings: Settings, theme: Theme) -> None:
    french, _ = export(sample(FRENCH), settings, theme)
    headline = french["headlines"][0]["value"]
    assert "\u00a0:" in headline  # "Frappes iraniennes en Irak : ..." keeps its colon attached
    assert french["people"] == [{"name": "La rédaction", "rel": "service International"}]


def test_html_body_is_the_web_page_content_with_absolute_image_addresses(
        english: dict[str, Any]) -> None:
    (rich,) = [b for b in english["bodies"] if b["contentType"] == "text/html"]
    article = lxml.html.fragment_fromstring(rich["value"])
    assert article.tag == "article" and article.get("lang") == "en-GB"
    briefing = sample(ENGLISH).briefing
    assert [" ".join(h.text_content().split()) for h in article.xpath(".//h2")] == [
        *(s.heading for s in briefing.sections if s.heading), "Sources"]
    images = article.xpath(".//img/@src")
    assert images and all(src.startswith(BASE + "images/night-bus-network/") for src in images)
    assert sorted(set(images)) == sorted(a["renditions"][0]["href"]
                                         for a in english["associations"])
    assert not article.xpath(".//script")


def test_plain_body_counts_words_and_characters_without_captions(
        tmp_path: Path, settings: Settings, theme: Theme) -> None:
    images = SAMPLES / "images"
    image = next(p for p in sorted(images.iterdir()) if p.suffix == ".png")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / image.name).write_bytes(image.read_bytes())
    item = write(tmp_path, {
        "id": "counted", "title": "Counted", "language": "en",
        "published": "2024-05-01T08:00:00Z",
        "sections": [{"heading": "Four five", "blocks": [
            {"type": "paragraph", "text": "One *two* [three](https://example.org) – six."},
            {"type": "image", "src": f"images/{image.name}", "alt": "alt words here",
             "caption": "caption words never counted", "credit": "Credit Line"},
        ]}],
    })
    news, _ = export(item, settings, theme)
    (plain,) = [b for b in news["bodies"] if b["contentType"] == "text/plain"]
    assert plain["value"] == "Four five\n\nOne two three – six."
    assert plain["wordCount"] == 6  # the lone dash is not a word
    assert plain["charCount"] == len(plain["value"]) == 31


def _spaced(text: str) -> str:
    """Text with the web page's no-break spaces (French punctuation, last words) as spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.parametrize("briefing_id", [ENGLISH, FRENCH])
def test_html_body_holds_the_article_alone(briefing_id: str, settings: Settings,
                                          theme: Theme) -> None:
    # the headline, subtitle, standfirst, byline, dates and rights are properties of their
    # own: a partner printing them and the body prints each once
    news, _ = export(sample(briefing_id), settings, theme)
    briefing = sample(briefing_id).briefing
    (rich,) = [b for b in news["bodies"] if b["role"] == "richtext"]
    article = lxml.html.fragment_fromstring(rich["value"])
    text = _spaced(article.text_content())
    assert not article.xpath(".//h1 | .//header | .//time | .//footer")
    assert not article.xpath('.//*[contains(@class, "standfirst") or contains(@class, "byline")'
                             ' or contains(@class, "subtitle") or contains(@class, "masthead")]')
    for field in (briefing.title, briefing.subtitle, briefing.standfirst, briefing.rights,
                  *(a.name for a in briefing.authors)):
        if field:
            assert _spaced(typeset(inline.plain(field), briefing.language)) not in text
    first = briefing.sections[0].blocks[0]
    assert isinstance(first, Paragraph)
    assert text.startswith(_spaced(typeset(inline.plain(first.text), briefing.language)))
    assert news["headlines"][0]["value"] == typeset(briefing.title, briefing.language)


def test_plain_body_is_paragraphs_apart_standfirst_first_sources_last(
        english: dict[str, Any]) -> None:
    briefing = sample(ENGLISH).briefing
    (plain,) = [b for b in english["bodies"] if b["role"] == "text"]
    paragraphs = plain["value"].split("\n\n")
    assert paragraphs[0] == typeset(inline.plain(briefing.standfirst or ""), "en-GB")
    assert paragraphs[1].startswith("From midnight on Friday, six routes will run")
    assert paragraphs[2] == "What is changing?"
    # a list's items, a table's rows, a quote and its attribution: one a line, one paragraph
    assert paragraphs[3].splitlines()[0] == "• Six routes, numbered N1 to N6, every 30 minutes"
    assert "\n— Grace Okafor, Riverton Nurses’ Association" in plain["value"]
    assert paragraphs[-2:] == [
        "Sources",
        "1. Night buses: report to the transport committee, Riverton Council "
        "<https://example.org/reports/night-buses>\n"
        "2. Interview with Grace Okafor, The Briefing Desk"]
    assert "\n\n\n" not in plain["value"] and not plain["value"].endswith("\n")
    assert plain["charCount"] == len(plain["value"])


def test_the_uri_never_changes_with_the_title_the_dates_or_the_theme(
        tmp_path: Path, settings: Settings, theme: Theme) -> None:
    source = json.loads((SAMPLES / f"{FRENCH}.json").read_text("utf-8"))
    first, _ = export(write(tmp_path, source), settings, theme)
    corrected = {**source, "title": "Frappes iraniennes en Irak : ce que l’on sait (corrigé)",
                 "published": "2020-01-09T08:00:00+01:00",
                 "updated": "2020-01-10T18:30:00+01:00"}
    wire = load_theme("wire", ROOT)
    again, _ = export(write(tmp_path, corrected), settings, wire)
    assert again["headlines"][0]["value"] != first["headlines"][0]["value"]
    assert again["firstCreated"] != first["firstCreated"]
    assert again["uri"] == first["uri"] == BASE + FRENCH + ".html"
    assert again["slugline"] == first["slugline"] == FRENCH
    with_url = {**corrected, "url": "https://example.org/iran"}
    moved = {**with_url, "title": "Un autre titre", "published": "2020-01-07T08:00:00+01:00"}
    assert export(write(tmp_path, with_url), settings, theme)[0]["uri"] == \
        export(write(tmp_path, moved), settings, wire)[0]["uri"] == "https://example.org/iran"


def test_images_are_associated_and_published_beside_the_item(
        english: dict[str, Any], settings: Settings, theme: Theme) -> None:
    item = sample(ENGLISH)
    _, files = export(item, settings, theme)
    blocks = item.briefing.images()
    assert len(english["associations"]) == len({b.src for b in blocks})
    for association, block in zip(english["associations"], blocks, strict=True):
        rendition = association["renditions"][0]
        assert association["type"] == "picture"
        assert association["uri"] == rendition["href"]
        path = rendition["href"].removeprefix(BASE)
        asset = item.assets[block.src]
        assert files[path] == asset.read() == (SAMPLES / block.src).read_bytes()
        assert rendition["sizeInBytes"] == len(files[path])
        assert (rendition["contentType"], rendition["width"], rendition["height"]) == (
            asset.media_type, asset.width, asset.height)
        descriptions = {d["role"]: d["value"] for d in association["descriptions"]}
        assert descriptions["alt"] == block.alt
        if block.credit:
            assert descriptions["creditline"] == block.credit


def test_renditions_list_each_published_file(english: dict[str, Any]) -> None:
    assert [(r["name"], r["href"], r["contentType"], r["sizeInBytes"])
            for r in english["renditions"]] == [
        ("html", BASE + "night-bus-network.html", "text/html", 41_610),
        ("pdf", BASE + "night-bus-network.pdf", "application/pdf", 103_081),
        ("epub", BASE + "night-bus-network.epub", "application/epub+zip", 20_500),
        ("docx", BASE + "night-bus-network.docx", DOCX,
         40_210),
    ]


def test_a_url_outside_ascii_is_percent_encoded(tmp_path: Path, settings: Settings,
                                                 theme: Theme) -> None:
    item = write(tmp_path, {
        "id": "iri", "title": "IRI", "language": "es", "url": "https://example.org/año/ñu",
        "published": "2024-05-01T08:00:00Z", "authors": [
            {"name": "José", "url": "https://example.org/josé"}],
        "sections": [{"blocks": [{"type": "paragraph", "text": "Texto."}]}],
    })
    news, _ = export(item, settings, theme)
    assert news["uri"] == "https://example.org/a%C3%B1o/%C3%B1u"
    assert news["people"][0]["uri"] == "https://example.org/jos%C3%A9"
    assert problems(news) == []


def test_same_bytes_every_time(settings: Settings, theme: Theme) -> None:
    item = fixture("every-block")
    context = Context(settings, theme, {item.id: made(item.id, pdf=1, html=2)})
    first = NinjsExporter().export(item, context)
    assert NinjsExporter().export(item, context) == first
    text = first.data.decode("utf-8")
    assert json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n" \
        == text


def test_without_base_url_one_line(settings: Settings, theme: Theme) -> None:
    bare = settings.model_copy(update={"base_url": None})
    with pytest.raises(ConfigError) as error:
        NinjsExporter().export(sample(FRENCH), Context(bare, theme))
    assert error.value.lines() == [error.value.message]
    assert error.value.message.startswith(f"{FRENCH}.ninjs.json needs the setting base_url")


# --- with the files a real export run wrote ---------------------------------------------


@pytest.fixture(scope="module")
def exported(exported_all: Path) -> Path:
    """Both samples (and the test briefings) exported by the command line to every
    installed format: the output folder."""
    return exported_all / "dist"


@pytest.mark.parametrize("briefing_id", [ENGLISH, FRENCH])
def test_renditions_match_the_files_in_dist(briefing_id: str, exported: Path,
                                            settings: Settings, theme: Theme) -> None:
    outputs = {briefing_id: {
        f: OutputInfo(path.name, f, registry.get(f).media_type, path.stat().st_size,
                          registry.get(f).shown_as())
        for f in ("html", "pdf", "epub", "docx")
        if (path := exported / registry.get(f).filename(briefing_id)).is_file()
    }}
    assert set(outputs[briefing_id]) == {"html", "pdf", "epub", "docx"}
    news, files = export(sample(briefing_id), settings, theme, outputs)
    assert problems(news) == []
    for rendition in news["renditions"]:
        published = exported / rendition["href"].removeprefix(BASE)
        assert rendition["sizeInBytes"] == published.stat().st_size
    for path, data in files.items():  # the images it names are those the web page published
        assert (exported / path).read_bytes() == data


@pytest.mark.parametrize("briefing_id", [ENGLISH, FRENCH])
def test_export_all_writes_items_whose_renditions_are_the_files(briefing_id: str,
                                                                exported: Path) -> None:
    news = json.loads((exported / f"{briefing_id}.ninjs.json").read_text("utf-8"))
    assert problems(news) == []
    assert {r["name"] for r in news["renditions"]} >= {"pdf", "epub", "docx"}
    for rendition in news["renditions"]:
        published = exported / rendition["href"].removeprefix(BASE)
        assert rendition["sizeInBytes"] == published.stat().st_size
    for association in news.get("associations", []):
        assert (exported / association["uri"].removeprefix(BASE)).is_file()


def test_export_all_lists_the_web_page(exported: Path) -> None:
    news = json.loads((exported / f"{ENGLISH}.ninjs.json").read_text("utf-8"))
    (page,) = [r for r in news["renditions"] if r["name"] == "html"]
    assert page["sizeInBytes"] == (exported / f"{ENGLISH}.html").stat().st_size


def test_briefkit_import_reads_the_item_back(tmp_path: Path, settings: Settings,
                                             theme: Theme) -> None:
    item = sample(FRENCH)
    path = tmp_path / f"{FRENCH}.ninjs.json"
    path.write_bytes(NinjsExporter().export(item, Context(settings, theme)).data)
    result = run_briefkit("import", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    back, original = json.loads(result.stdout), item.briefing
    assert (back["language"], back["published"]) == (original.language,
                                                     original.published.isoformat())
    assert back["authors"] == [{"name": "La rédaction", "role": "service International"}]
    assert back["tags"] == original.tags
    def words(text: str | None) -> str | None:  # the page ties last words with U+00A0
        return " ".join(text.replace("\u00a0", " ").split()) if text else None

    assert words(back["title"]) == words(typeset(original.title, "fr"))
    assert [words(s.get("heading")) for s in back["sections"]] == [
        words(typeset(s.heading, "fr") if s.heading else None) for s in original.sections]
