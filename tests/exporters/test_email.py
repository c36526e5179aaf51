"""The e-mail edition and the digest, read back with the standard library's ``email``
parser (policy=default), lxml for the HTML part, and Chromium for how it is laid out."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import lxml.html
import pytest
from support.browser import page_widths
from support.commands import run_briefkit
from support.exports import made
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, SAMPLES, fixture, sample
from support.readers import email_text, expected, letters

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import ConfigError
from briefkit.exporters.base import Context, Exported, OutputInfo
from briefkit.exporters.email import DigestExporter, EmailExporter
from briefkit.load import load
from briefkit.theme import Theme, load_theme

LOOK = FIXTURES / "look"
LONG = "water-shortage-long"
BASE = "https://briefings.example.org/"
#: The size past which a large web mail client clips a message's HTML.
CLIPPED_AT = 102 * 1000


@pytest.fixture(scope="module")
def looked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The look briefings of tests/fixtures/look/ beside the test images, in a folder."""
    folder = tmp_path_factory.mktemp("look")
    for path in LOOK.glob("*.json"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(FIXTURES / "images", folder / "images")
    return folder


@pytest.fixture(scope="module")
def long_briefing(looked: Path) -> BriefingFile:
    return load(looked / f"{LONG}.json", looked)


def items() -> list[BriefingFile]:
    return [sample(ENGLISH), sample(FRENCH), fixture("every-block"), fixture("rtl-arabic")]


def with_files(item: BriefingFile) -> dict[str, OutputInfo]:
    """What an export run tells the e-mail of a briefing whose every format was exported."""
    return made(item.id, html=18_000, pdf=120_000, epub=40_000, docx=30_000)


def parse(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects, message.defects
    return message


def part_of(message: EmailMessage, subtype: str) -> str:
    """The decoded text of the message's ``text/<subtype>`` part."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    text = part.get_content()
    assert isinstance(text, str)
    return text


def html_of(message: EmailMessage) -> str:
    return part_of(message, "html")


def plain_of(message: EmailMessage) -> str:
    return part_of(message, "plain")


def export(item: BriefingFile, settings: Settings, theme: Theme,
           outputs: dict[str, OutputInfo] | None = None) -> Exported:
    return EmailExporter().export(item, Context(settings, theme, {item.id: outputs or {}}))


@pytest.fixture(scope="module")
def attached(settings: Settings) -> Settings:
    return settings.model_copy(update={"email": settings.email.model_copy(
        update={"images": "attached"})})


# --- the message ------------------------------------------------------------------------


@pytest.mark.parametrize("item", items(), ids=lambda i: i.id)
def test_the_message_parses_with_both_parts_and_its_headers(item: BriefingFile,
                                                             settings: Settings,
                                                             theme: Theme) -> None:
    exported = export(item, settings, theme, with_files(item))
    message = parse(exported.data)
    source = json.loads(item.path.read_text("utf-8"))
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert letters(message["Subject"]) == letters(source["title"])
    assert message["Content-Language"] == source["language"]
    changed = datetime.fromisoformat(source.get("updated") or source["published"])
    assert parsedate_to_datetime(message["Date"]) == changed
    assert re.fullmatch(r"<[0-9a-f]{40}@briefings\.example\.org>", message["Message-ID"])
    # who it is from and to is the publish's to say
    assert message["From"] is None and message["To"] is None
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None and plain.get_param("format") == "flowed"
    # 7-bit clean and CRLF throughout: what any mail server takes, as it is
    assert max(exported.data) < 128
    assert b"\n" not in exported.data.replace(b"\r\n", b"")


def test_same_bytes_every_time(settings: Settings, attached: Settings, theme: Theme) -> None:
    item = fixture("every-block")
    for chosen in (settings, attached):
        first = export(item, chosen, theme, with_files(item))
        assert export(item, chosen, theme, with_files(item)) == first
    linked, carried = (parse(export(item, s, theme).data) for s in (settings, attached))
    assert linked["Message-ID"] != carried["Message-ID"]  # a digest of what each holds


def test_the_command_line_makes_the_same_bytes_in_another_process(newsroom: Path,
                                                                  tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        done = run_briefkit("export", "--all", "-f", "email", "-f", "digest", "--out",
                            str(out), "-q", cwd=newsroom, env={"PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in out.glob("*.eml")})
    assert sorted(outputs[0]) == sorted([f"{ENGLISH}.eml", f"{FRENCH}.eml", "digest.eml"])
    assert outputs[0] == outputs[1]


# --- images -------------------------------------------------------------------------------


def test_linked_images_are_published_under_base_url(settings: Settings, theme: Theme) -> None:
    item = fixture("every-block")
    exported = export(item, settings, theme)
    page = lxml.html.document_fromstring(html_of(parse(exported.data)))
    images = page.xpath("//img")
    assert len(images) == 2
    for image in images:
        src = image.get("src")
        assert src.startswith(BASE), src
        assert src[len(BASE):] in exported.files  # published beside the message
        assert image.get("alt", "").strip()
        assert int(image.get("width")) <= 552


def test_attached_images_are_carried_by_content_id(attached: Settings, theme: Theme) -> None:
    item = fixture("every-block")
    exported = export(item, attached, theme)
    assert exported.files == {}  # nothing to publish: the message carries them
    message = parse(exported.data)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    related = next(p for p in message.iter_parts() if p.get_content_type() != "text/plain")
    assert related.get_content_type() == "multipart/related"
    carried = {part["Content-ID"].strip("<>"): part for part in related.iter_parts()
               if part.get_content_maintype() == "image"}
    assert len(carried) == 1  # the same image twice is carried once
    chart = (FIXTURES / "images" / "chart.png").read_bytes()
    assert all(part.get_content() == chart for part in carried.values())
    page = lxml.html.document_fromstring(html_of(message))
    sources = [img.get("src") for img in page.xpath("//img")]
    assert len(sources) == 2 and all(s.startswith("cid:") for s in sources)
    assert {s[4:] for s in sources} <= set(carried)
    assert all(img.get("alt", "").strip() for img in page.xpath("//img"))


def test_linked_images_need_base_url_in_one_line(settings: Settings, theme: Theme,
                                                 attached: Settings) -> None:
    bare = settings.model_copy(update={"base_url": None})
    with pytest.raises(ConfigError) as error:
        export(fixture("every-block"), bare, theme)
    assert error.value.lines() == [error.value.message]
    assert error.value.message.startswith("every-block.eml needs the setting base_url")
    assert 'images = "attached"' in error.value.message
    # a briefing without images, or with its images carried, needs none
    parse(export(sample(FRENCH), bare, theme).data)
    parse(export(fixture("every-block"), attached.model_copy(update={"base_url": None}),
                 theme).data)


def test_the_command_line_says_base_url_is_missing(newsroom: Path) -> None:
    toml = newsroom / "briefkit.toml"
    toml.write_text(re.sub(r"(?m)^base_url.*$", "", toml.read_text("utf-8")), "utf-8")
    done = run_briefkit("export", "--all", "-f", "email", cwd=newsroom)
    said = done.stdout + done.stderr
    assert done.returncode == 1
    assert f"{ENGLISH}.eml needs the setting base_url in briefkit.toml" in said
    assert "Traceback" not in said
    assert (newsroom / "dist" / f"{FRENCH}.eml").is_file()  # it has no image


# --- what mail clients refuse, and what they need --------------------------------------------


@pytest.mark.parametrize("item", items(), ids=lambda i: i.id)
def test_nothing_mail_clients_refuse(item: BriefingFile, settings: Settings,
                                     theme: Theme) -> None:
    text = html_of(parse(export(item, settings, theme, with_files(item)).data))
    page = lxml.html.document_fromstring(text)
    assert not page.xpath("//script | //form | //input | //iframe | //object | //embed")
    assert not page.xpath("//link")  # no external stylesheet, nothing fetched
    assert "@font-face" not in text and "@import" not in text
    # what is left in <style> is @media rules only: every other rule is in style attributes
    for style in page.xpath("//style"):
        rest = style.text or ""
        while "@media" in rest:
            start = rest.index("@media")
            depth, end = 0, rest.index("{", start)
            for end in range(rest.index("{", start), len(rest)):
                depth += {"{": 1, "}": -1}.get(rest[end], 0)
                if depth == 0:
                    break
            rest = rest[:start] + rest[end + 1:]
        assert not rest.strip(), f"rules outside @media: {rest.strip()[:200]}"
    for element in page.xpath("//body//h1 | //body//h2 | //body//p | //body//td | //body//a"
                              " | //body//img | //body//li | //body//th"):
        assert element.get("style"), lxml.html.tostring(element)[:200]
    # one column of tables, 600 px at most
    column = page.xpath("//table[contains(@class, 'column')]")
    assert len(column) == 1 and column[0].get("width") == "600"
    assert "max-width:600px" in column[0].get("style").replace(" ", "")
    # dark colours declared, for the clients that honour them
    metas = {m.get("name"): m.get("content") for m in page.xpath("//meta[@name]")}
    assert metas["color-scheme"] == "light dark"
    assert metas["supported-color-schemes"] == "light dark"
    assert "prefers-color-scheme: dark" in "".join(s.text or "" for s in page.xpath("//style"))
    # the preheader: the summary (else the standfirst), hidden at the top
    preheader = page.xpath("//body/*[1]")[0]
    assert "display:none" in preheader.get("style").replace(" ", "")
    source = json.loads(item.path.read_text("utf-8"))
    said = source.get("summary") or source.get("standfirst") or ""
    assert letters(said)[:40] in letters(preheader.text_content())


def test_no_web_font_is_needed(settings: Settings, theme: Theme) -> None:
    text = html_of(parse(export(sample(ENGLISH), settings, theme).data))
    stacks = set(re.findall(r"font-family:([^;\"]+)", text))
    assert stacks
    # the theme's face first, then faces every machine has, then the generic family
    assert all(s.rstrip().endswith(("serif", "sans-serif")) for s in stacks), stacks
    assert any("Georgia" in s for s in stacks) and any("Arial" in s for s in stacks)
    assert ".woff" not in text and "url(" not in text


@pytest.mark.parametrize("name", ["rtl-arabic", "arabic-power-outage"])
def test_arabic_reads_right_to_left(name: str, settings: Settings, theme: Theme,
                                    looked: Path) -> None:
    item = fixture(name) if name == "rtl-arabic" else load(looked / f"{name}.json", looked)
    message = parse(export(item, settings, theme, with_files(item)).data)
    assert message["Content-Language"] == "ar"
    page = lxml.html.document_fromstring(html_of(message))
    assert page.get("lang") == "ar" and page.get("dir") == "rtl"
    column = page.xpath("//table[contains(@class, 'column')]")[0]
    assert column.get("dir") == "rtl" and column.get("lang") == "ar"
    style = " ".join(e.get("style", "") for e in page.xpath("//*[contains(@class,'quote-cell')]"))
    assert "border-right" in style.replace(" ", "")  # the quote's rule on the reading side
    # no spaced or capital letters, which would part Arabic's joined letters
    assert "letter-spacing:0.08em" not in html_of(message).replace(" ", "")
    # two names joined as Arabic joins them ("A وB"), never with a Latin comma
    names = [a.name for a in item.briefing.authors]
    if len(names) > 1:
        byline = page.xpath("//*[@class='authors']")[0].text_content()
        plain = plain_of(message)
        assert f" و{names[1]}" in byline and f" و{names[1]}" in plain, byline
        assert "," not in byline


def test_links_to_the_web_page_and_the_downloads(settings: Settings, theme: Theme) -> None:
    item = sample(FRENCH)
    message = parse(export(item, settings, theme, with_files(item)).data)
    page = lxml.html.document_fromstring(html_of(message))
    hrefs = page.xpath("//a/@href")
    for name in (f"{FRENCH}.html", f"{FRENCH}.pdf", f"{FRENCH}.epub", f"{FRENCH}.docx"):
        assert BASE + name in hrefs, name
    assert "Lire sur le web" in page.text_content()
    plain = plain_of(message)
    assert f"<{BASE}{FRENCH}.pdf>" in plain and f"<{BASE}{FRENCH}.html>" in plain
    # nothing exported beside it: no page or file to link
    alone = lxml.html.document_fromstring(html_of(parse(export(item, settings, theme).data)))
    assert not [h for h in alone.xpath("//a/@href") if h.startswith(BASE)]


# --- the plain-text part ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [ENGLISH, FRENCH, "every-block", "rtl-arabic", LONG])
def test_the_plain_text_wraps_at_78_and_holds_every_paragraph(
        name: str, settings: Settings, theme: Theme, long_briefing: BriefingFile) -> None:
    item = {ENGLISH: sample, FRENCH: sample}.get(name, fixture)(name) if name != LONG \
        else long_briefing
    exported = export(item, settings, theme, with_files(item))
    message = parse(exported.data)
    raw = plain_of(message)
    for line in raw.splitlines():
        # only an address longer than a line goes past it, alone on its line
        assert len(line) <= 78 or re.fullmatch(r" *<\S+>", line), line
    data = json.loads(item.path.read_text("utf-8"))
    paragraphs = expected(data, blocks=False, sources=False)
    assert paragraphs
    text = email_text(exported.data)
    position = 0
    for piece in paragraphs:
        found = letters(text).find(letters(piece.text), position)
        assert found >= 0, f"{piece.what} missing or out of order"
        position = found


# --- a long briefing -------------------------------------------------------------------------


def test_a_long_briefing_stays_under_the_clipping_size_and_links_to_the_web(
        settings: Settings, theme: Theme, long_briefing: BriefingFile) -> None:
    exported = export(long_briefing, settings, theme, with_files(long_briefing))
    message = parse(exported.data)
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    raw = part.get_payload(decode=False)
    assert isinstance(raw, str)
    assert len(raw) < CLIPPED_AT and len(part.get_content().encode("utf-8")) < CLIPPED_AT
    page = lxml.html.document_fromstring(part.get_content())
    whole = page.xpath("//a[normalize-space() = 'Read the whole briefing on the web']")
    assert [a.get("href") for a in whole] == [f"{BASE}{LONG}.html"]
    data = json.loads(long_briefing.path.read_text("utf-8"))
    headings = [s["heading"] for s in data["sections"] if s.get("heading")]
    shown = [letters(h.text_content()) for h in page.xpath("//h2")]
    # the standfirst, the opening and the first section with a heading, then the link
    assert shown == [letters(headings[0])]
    assert letters(data["standfirst"]) in letters(page.text_content())
    # the plain text keeps all of it
    assert letters(headings[-1]) in letters(plain_of(message))


def test_a_long_briefing_without_a_web_page_keeps_all_of_it(
        settings: Settings, theme: Theme, long_briefing: BriefingFile) -> None:
    bare = settings.model_copy(update={"base_url": None,
                                       "email": settings.email.model_copy(
                                           update={"images": "attached"})})
    page = lxml.html.document_fromstring(html_of(parse(export(long_briefing, bare, theme).data)))
    assert not page.xpath("//a[contains(., 'whole briefing')]")
    data = json.loads(long_briefing.path.read_text("utf-8"))
    assert len(page.xpath("//h2")) == len([s for s in data["sections"] if s.get("heading")])


# --- Chromium --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
def test_chromium_shows_it_at_375_and_600_px_without_sideways_scroll(
        settings: Settings, theme: Theme, long_briefing: BriefingFile, tmp_path: Path) -> None:
    wide = dataclasses.replace(sample(ENGLISH), briefing=sample(ENGLISH).briefing.model_copy(
        update={"title": "Supercalifragilistic" * 8,
                "standfirst": "See https://example.org/" + "a-long-address-without-spaces" * 6}))
    wire = load_theme("wire", SAMPLES.parent)
    chosen = [(wide, theme), (fixture("every-block"), theme), (fixture("rtl-arabic"), wire),
              (long_briefing, wire)]
    pages = []
    for number, (item, drawn) in enumerate(chosen):
        exported = export(item, settings, drawn, with_files(item))
        for path, data in exported.files.items():  # the images, where base_url points
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_bytes(data)
        page = tmp_path / f"message-{number}.html"
        page.write_text(html_of(parse(exported.data)).replace(BASE, ""), "utf-8")
        pages += [(page, 375), (page, 600)]
    for (page, width), (scroll, inner) in zip(pages, page_widths(pages), strict=True):
        assert inner > width - 30, (page.name, width, inner)
        assert scroll <= inner, f"{page.name} at {width} px is {scroll} px wide"


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "message"), [
    ('images = "inline"', "email.images: expected 'linked' or 'attached', got 'inline'"),
    ('digest_since = "tomorrow"', "email.digest_since: 'tomorrow' is not a period"),
    ('digest_since = "0h"', "email.digest_since: '0h': a period is longer than nothing"),
])
def test_a_wrong_email_setting_is_one_located_line(newsroom: Path, line: str,
                                                   message: str) -> None:
    toml = newsroom / "briefkit.toml"
    text = toml.read_text("utf-8") + f"\n[email]\n{line}\n"
    toml.write_text(text, "utf-8")
    done = run_briefkit("export", "--all", "-f", "email", cwd=newsroom)
    assert done.returncode == 1
    row = text.splitlines().index(line) + 1
    [said] = done.stderr.splitlines()
    assert said.startswith(f"briefkit.toml:{row}:") and message in said, said


def test_a_wrong_since_is_one_line_and_a_misuse(newsroom: Path) -> None:
    done = run_briefkit("export", "--all", "-f", "digest", "--since", "24x", cwd=newsroom)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "briefkit export: --since: '24x' is not a period: a whole number and a unit, e.g. "
        "'24h', '90m', '7d' or '1d12h' (m minutes, h hours, d days, w weeks)"]


# --- the digest ------------------------------------------------------------------------------


def digest_room(newsroom: Path) -> list[dict[str, object]]:
    """The newsroom with the test and look briefings too; each briefing's JSON."""
    shutil.copytree(FIXTURES / "images", newsroom / "source" / "images", dirs_exist_ok=True)
    for path in [*FIXTURES.glob("*.json"), *LOOK.glob("*.json")]:
        shutil.copy(path, newsroom / "source" / path.name)
    return [json.loads(p.read_text("utf-8")) for p in (newsroom / "source").glob("*.json")]


def changed(data: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(data.get("updated") or data["published"]))


def titles_in(data: bytes) -> list[str]:
    page = lxml.html.document_fromstring(html_of(parse(data)))
    return [letters(h.text_content()) for h in page.xpath("//h2")]


def test_the_digest_gathers_its_period_newest_first(newsroom: Path) -> None:
    briefings = digest_room(newsroom)
    newest = max(changed(b) for b in briefings)
    for since, span in (("24h", timedelta(hours=24)), ("400d", timedelta(days=400)),
                        ("520w", timedelta(weeks=520))):
        done = run_briefkit("export", "--all", "-f", "digest", "--since", since, "-q",
                            cwd=newsroom)
        assert done.returncode == 0, done.stderr
        data = (newsroom / "dist" / "digest.eml").read_bytes()
        chosen = sorted((b for b in briefings if newest - changed(b) <= span),
                        key=lambda b: (-changed(b).timestamp(), b["id"]))
        assert titles_in(data) == [letters(str(b["title"])) for b in chosen], since
        plain = email_text(data)
        found = [letters(plain).find(letters(str(b["title"]))) for b in chosen]
        assert -1 not in found and found == sorted(found)
    assert len(chosen) == len(briefings)  # the longest period takes them all


def test_the_digest_links_each_web_page_and_names_the_day(settings: Settings,
                                                          theme: Theme) -> None:
    chosen = items()
    outputs = {i.id: made(i.id, html=10_000) for i in chosen}
    week = settings.model_copy(update={"email": settings.email.model_copy(
        update={"digest_since": "520w"})})
    exported = DigestExporter().export_collection(chosen, Context(week, theme, outputs))
    message = parse(exported.data)
    assert message["Subject"].startswith("Briefings · ")
    assert parsedate_to_datetime(message["Date"]) == max(i.briefing.modified for i in chosen)
    page = lxml.html.document_fromstring(html_of(message))
    links = [a.get("href") for a in page.xpath("//h2/a")]
    newest_first = sorted(chosen, key=lambda i: -i.briefing.modified.timestamp())
    assert links == [BASE + f"{i.id}.html" if i.id != "every-block"
                     else "https://example.org/briefings/every-block" for i in newest_first]
    entries = page.xpath("//div[contains(@class, 'entry')]")
    assert [e.get("lang") for e in entries] == [i.briefing.language for i in newest_first]
    assert exported == DigestExporter().export_collection(list(reversed(chosen)),
                                                          Context(week, theme, outputs))


def test_since_on_the_command_line_makes_only_the_digest_again(newsroom: Path) -> None:
    first = run_briefkit("export", "--all", "-f", "email", "-f", "digest", "-q", cwd=newsroom)
    assert first.returncode == 0, first.stderr
    again = run_briefkit("export", "--all", "-f", "email", "-f", "digest", "--since", "7d",
                         "--json", cwd=newsroom)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert [w["path"] for w in report["written"]] == ["digest.eml"]
    assert sorted(s["path"] for s in report["skipped"]) == sorted([f"{ENGLISH}.eml",
                                                                   f"{FRENCH}.eml"])
