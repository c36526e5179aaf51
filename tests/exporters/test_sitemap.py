"""The news sitemap and robots.txt, read back with lxml and by hand."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree
from support.commands import run_briefkit
from support.exports import export_with, made
from support.newsrooms import ENGLISH, FRENCH, ROOT, SAMPLES, fixture, sample

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import ConfigError
from briefkit.exporters.base import Context, Exported, OutputInfo
from briefkit.exporters.site import FrontPageExporter
from briefkit.exporters.sitemap import SitemapExporter, news_language
from briefkit.load import load
from briefkit.theme import Theme

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}
BASE = "https://briefings.example.org/"


def briefing(tmp_path: Path, briefing_id: str, published: str, updated: str | None = None,
             language: str = "en") -> BriefingFile:
    data: dict[str, Any] = {
        "id": briefing_id, "title": f"What we know: {briefing_id}", "language": language,
        "published": published,
        "sections": [{"blocks": [{"type": "paragraph", "text": "Text."}]}],
    }
    if updated:
        data["updated"] = updated
    path = tmp_path / f"{briefing_id}.json"
    path.write_text(json.dumps(data), "utf-8")
    return load(path, tmp_path)


def export(items: list[BriefingFile], settings: Settings, theme: Theme,
           outputs: dict[str, dict[str, OutputInfo]] | None = None) -> Exported:
    if outputs is None:
        outputs = {i.id: made(i.id, html=1_000, pdf=2_000) for i in items}
    return export_with(SitemapExporter(), items, settings, theme, outputs)


def parse(exported: Exported) -> etree._Element:
    root = etree.fromstring(exported.data)
    assert root.tag == f"{{{NS['s']}}}urlset"
    assert root.nsmap == {None: NS["s"], "news": NS["news"]}
    return root


def urls(root: etree._Element) -> dict[str, etree._Element]:
    return {u.findtext("s:loc", namespaces=NS): u for u in root.findall("s:url", NS)}


@pytest.fixture
def newsroom_items(tmp_path: Path) -> list[BriefingFile]:
    """Four briefings: the newest change is 2024-05-10 12:00 UTC, so "now" is then."""
    return [
        briefing(tmp_path, "fresh", "2024-05-10T09:00:00+02:00", "2024-05-10T14:00:00+02:00",
                 "fr-CA"),
        briefing(tmp_path, "yesterday", "2024-05-09T06:00:00Z", language="zh-Hant-TW"),
        briefing(tmp_path, "two-days", "2024-05-08T12:00:00Z", language="zh-CN"),
        briefing(tmp_path, "old", "2024-05-08T11:59:59Z", "2024-05-10T11:00:00Z"),
    ]


def test_every_page_with_its_last_change(settings: Settings, theme: Theme) -> None:
    items = [sample(FRENCH), sample(ENGLISH), fixture("every-block"), fixture("rtl-arabic")]
    root = parse(export(items, settings, theme))
    found = urls(root)
    # every-block's canonical address (its "url") is elsewhere: left out
    assert list(found) == [BASE + f"{i}.html" for i in (FRENCH, ENGLISH, "rtl-arabic")]
    assert found[BASE + f"{ENGLISH}.html"].findtext("s:lastmod", namespaces=NS) == \
        "2020-01-08T16:30:00+00:00"
    assert found[BASE + f"{FRENCH}.html"].findtext("s:lastmod", namespaces=NS) == \
        "2020-01-08T11:45:00+01:00"
    for url in found.values():
        datetime.fromisoformat(url.findtext("s:lastmod", namespaces=NS))


def test_news_block_only_for_the_last_two_days(newsroom_items: list[BriefingFile],
                                               settings: Settings, theme: Theme) -> None:
    found = urls(parse(export(newsroom_items, settings, theme)))
    news = {loc.removeprefix(BASE).removesuffix(".html"): url.find("news:news", NS)
            for loc, url in found.items()}
    assert set(news) == {"fresh", "yesterday", "two-days", "old"}
    assert news["old"] is None  # published two days and a second before "now"
    fresh = news["fresh"]
    assert fresh is not None
    assert fresh.findtext("news:publication/news:name", namespaces=NS) == settings.publisher
    assert fresh.findtext("news:publication/news:language", namespaces=NS) == "fr"
    assert fresh.findtext("news:publication_date", namespaces=NS) == \
        "2024-05-10T09:00:00+02:00"
    # French typography, as on the page: a no-break space before the colon
    assert fresh.findtext("news:title", namespaces=NS) == "What we know\u00a0: fresh"
    languages = {k: n.findtext("news:publication/news:language", namespaces=NS)
                 for k, n in news.items() if n is not None}
    assert languages == {"fresh": "fr", "yesterday": "zh-tw", "two-days": "zh-cn"}


def test_old_briefings_have_no_news_block(tmp_path: Path, settings: Settings,
                                          theme: Theme) -> None:
    items = [sample(FRENCH), sample(ENGLISH)]  # 2020-01-08, 10:45 and 07:00-16:30 (UTC)
    root = parse(export(items, settings, theme))
    assert len(root.findall("s:url/news:news", NS)) == 2  # both within two days of 16:30
    older = briefing(tmp_path, "older", "2019-12-01T00:00:00Z")
    news = {u.findtext("s:loc", namespaces=NS): u.find("news:news", NS)
            for u in parse(export([*items, older], settings, theme)).findall("s:url", NS)}
    assert news[BASE + "older.html"] is None
    assert news[BASE + f"{ENGLISH}.html"] is not None


def test_publication_name_falls_back_to_the_title(newsroom_items: list[BriefingFile],
                                                  settings: Settings, theme: Theme) -> None:
    plain = settings.model_copy(update={"publisher": ""})
    root = parse(export(newsroom_items, plain, theme))
    names = root.findall("s:url/news:news/news:publication/news:name", NS)
    assert names and {n.text for n in names} == {settings.title}


def test_only_pages_that_were_published(newsroom_items: list[BriefingFile], settings: Settings,
                                        theme: Theme) -> None:
    outputs = {"fresh": made("fresh", html=10), "old": made("old", pdf=10)}
    found = urls(parse(export(newsroom_items, settings, theme, outputs)))
    assert list(found) == [BASE + "fresh.html"]


def test_robots_txt_names_the_sitemap(newsroom_items: list[BriefingFile], settings: Settings,
                                      theme: Theme) -> None:
    exported = export(newsroom_items, settings, theme)
    assert dict(exported.files) == {
        "robots.txt": b"User-agent: *\nAllow: /\nSitemap: " + BASE.encode() + b"sitemap.xml\n"}


def test_same_bytes_every_time(newsroom_items: list[BriefingFile], settings: Settings,
                               theme: Theme) -> None:
    first = export(newsroom_items, settings, theme)
    assert export(list(reversed(newsroom_items)), settings, theme) == first
    assert first.data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_an_empty_collection(settings: Settings, theme: Theme) -> None:
    root = parse(export([], settings, theme))
    assert len(root) == 0


def test_without_base_url_one_line(settings: Settings, theme: Theme) -> None:
    bare = settings.model_copy(update={"base_url": None})
    with pytest.raises(ConfigError) as error:
        export([sample(FRENCH)], bare, theme)
    assert len(error.value.lines()) == 1 and "base_url" in error.value.message


@pytest.mark.parametrize(("tag", "code"), [("fr-CA", "fr"), ("EN", "en"), ("zh", "zh-cn"),
                                           ("zh-Hans-CN", "zh-cn"), ("zh-HK", "zh-tw"),
                                           ("ar", "ar")])
def test_news_language_codes(tag: str, code: str) -> None:
    assert news_language(tag) == code


def test_export_writes_sitemap_and_robots(tmp_path: Path) -> None:
    shutil.copy(ROOT / "briefkit.toml", tmp_path / "briefkit.toml")
    shutil.copytree(SAMPLES, tmp_path / "source")
    result = run_briefkit("export", "--all", "-f", "html", "-f", "sitemap", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    dist = tmp_path / "dist"
    found = urls(parse(Exported((dist / "sitemap.xml").read_bytes())))
    assert set(found) == {BASE + f"{ENGLISH}.html", BASE + f"{FRENCH}.html"}
    for loc in found:
        assert (dist / loc.removeprefix(BASE)).is_file()
    assert (dist / "robots.txt").read_text("utf-8").endswith(f"Sitemap: {BASE}sitemap.xml\n")


def test_the_front_page_links_the_sitemap(settings: Settings, theme: Theme) -> None:
    page = FrontPageExporter().export_collection([sample(ENGLISH)], Context(settings, theme))
    data = page.data if isinstance(page, Exported) else page
    head = lxml.html.document_fromstring(data).find("head")
    assert [(link.get("type"), link.get("href"))
            for link in head.findall("link[@rel='sitemap']")] == [
        ("application/xml", SitemapExporter.output)]


def test_a_briefing_whose_canonical_address_is_elsewhere_is_left_out(
        newsroom_items: list[BriefingFile], settings: Settings, theme: Theme) -> None:
    """Its page here says rel=canonical elsewhere: search engines index it there, and want
    only canonical addresses in a sitemap."""
    fresh, yesterday, *rest = newsroom_items
    elsewhere = dataclasses.replace(fresh, briefing=fresh.briefing.model_copy(
        update={"url": "https://cms.example.com/news/fresh"}))
    here = dataclasses.replace(yesterday, briefing=yesterday.briefing.model_copy(
        update={"url": BASE + "yesterday.html"}))  # its canonical address is its page here
    found = urls(parse(export([elsewhere, here, *rest], settings, theme)))
    assert list(found) == [BASE + "yesterday.html", BASE + "two-days.html", BASE + "old.html"]
