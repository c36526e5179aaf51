"""Every rule of the briefing format, as `load` reports it: file:line:col, JSON Pointer, message."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefkit.errors import BriefingError, Problem
from briefkit.load import load, load_all

VALID: dict[str, Any] = {
    "id": "valid-briefing",
    "title": "A valid briefing",
    "language": "fr",
    "published": "2020-01-08T11:45:00+01:00",
    "sections": [
        {"heading": "Quoi ?", "blocks": [{"type": "paragraph", "text": "Un paragraphe."}]},
    ],
}


def write(folder: Path, data: Any, name: str = "b.json") -> Path:
    path = folder / name
    text = data if isinstance(data, str) else json.dumps(data, indent=2, ensure_ascii=False)
    path.write_text(text, "utf-8")
    return path


def problems_of(path: Path, root: Path | None = None,
                decoded: frozenset[str] | set[str] = frozenset()) -> list[Problem]:
    with pytest.raises(BriefingError) as caught:
        load(path, root, decoded)
    return caught.value.problems


def mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    change(data)
    return data


def block(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["sections"][0]["blocks"] = [fields]

    return change


def test_valid_briefing_loads(tmp_path: Path) -> None:
    item = load(write(tmp_path, VALID))
    assert item.briefing.id == "valid-briefing"
    assert item.briefing.published.utcoffset() is not None
    assert len(item.digest) == 64


# (change, JSON Pointer, words the message must hold)
RULES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("missing id", lambda d: d.pop("id"), "/id", "field required"),
    ("missing title", lambda d: d.pop("title"), "/title", "field required"),
    ("empty title", lambda d: d.update(title="  "), "/title", "must not be empty"),
    ("missing language", lambda d: d.pop("language"), "/language", "field required"),
    ("missing published", lambda d: d.pop("published"), "/published", "field required"),
    ("missing sections", lambda d: d.pop("sections"), "/sections", "field required"),
    ("no sections", lambda d: d.update(sections=[]), "/sections", "at least one"),
    ("id path", lambda d: d.update(id="../../x"), "/id", "not a slug"),
    ("id capitals", lambda d: d.update(id="Iran"), "/id", "not a slug"),
    ("id double hyphen", lambda d: d.update(id="a--b"), "/id", "not a slug"),
    ("id too long", lambda d: d.update(id="a" * 81), "/id", "at most 80"),
    ("id number", lambda d: d.update(id=7), "/id", "expected text, got a number"),
    ("id reserved", lambda d: d.update(id="index"), "/id", "front page"),
    ("language", lambda d: d.update(language="French"), "/language", "BCP 47"),
    ("naive date", lambda d: d.update(published="2020-01-08T11:45:00"), "/published", "no UTC offset"),
    ("date only", lambda d: d.update(published="2020-01-08"), "/published", "not an RFC 3339"),
    ("impossible date", lambda d: d.update(published="2020-02-30T10:00:00Z"), "/published",
     "not a real date-time"),
    ("date number", lambda d: d.update(published=1578480300), "/published", "RFC 3339"),
    ("updated before", lambda d: d.update(updated="2020-01-07T11:45:00+01:00"), "/updated",
     "before published"),
    ("unknown field", lambda d: d.update(titel="x"), "/titel", "did you mean 'title'"),
    ("unknown field, no guess", lambda d: d.update(zzz=1), "/zzz", "(known: $schema, id"),
    ("author without name", lambda d: d.update(authors=[{"role": "x"}]), "/authors/0/name",
     "field required"),
    ("author email", lambda d: d.update(authors=[{"name": "A", "email": "nope"}]),
     "/authors/0/email", "not an e-mail"),
    ("author url scheme", lambda d: d.update(authors=[{"name": "A", "url": "ftp://x.org"}]),
     "/authors/0/url", "only http, https and mailto"),
    ("tags not a list", lambda d: d.update(tags="a, b"), "/tags", "expected a list"),
    ("canonical url relative", lambda d: d.update(url="/x.html"), "/url", "relative URL"),
    ("section empty", lambda d: d.update(sections=[{}]), "/sections/0", "heading or at least one block"),
    ("section typo", lambda d: d["sections"][0].update(heding="x"), "/sections/0/heding",
     "did you mean 'heading'"),
    ("block without type", block(text="x"), "/sections/0/blocks/0", "has no 'type' (one of: paragraph, quote, list"),
    ("unknown block type", block(type="quot", text="x"), "/sections/0/blocks/0/type",
     "did you mean 'quote'"),
    ("paragraph without text", block(type="paragraph"), "/sections/0/blocks/0/text", "field required"),
    ("paragraph text number", block(type="paragraph", text=3), "/sections/0/blocks/0/text",
     "expected text"),
    ("block unknown field", block(type="paragraph", text="x", txt="y"), "/sections/0/blocks/0/txt",
     "unknown field"),
    ("list empty", block(type="list", items=[]), "/sections/0/blocks/0/items", "at least one"),
    ("list ordered text", block(type="list", items=["a"], ordered="yes"),
     "/sections/0/blocks/0/ordered", "true or false"),
    ("image without alt", block(type="image", src="a.png"), "/sections/0/blocks/0/alt",
     "field required"),
    ("image url", block(type="image", src="http://127.0.0.1/x.png", alt="a"),
     "/sections/0/blocks/0/src", "is a URL"),
    ("image data url", block(type="image", src="data:image/png;base64,AAAA", alt="a"),
     "/sections/0/blocks/0/src", "is a URL"),
    ("image absolute", block(type="image", src="/etc/passwd", alt="a"), "/sections/0/blocks/0/src",
     "absolute path"),
    ("table ragged", block(type="table", header=["a", "b"], rows=[["1"]]),
     "/sections/0/blocks/0/rows", "row 1 has 1 cells"),
    ("table no rows", block(type="table", header=["a"], rows=[]), "/sections/0/blocks/0/rows",
     "at least one"),
    ("timeline event", block(type="timeline", events=[{"when": "x"}]),
     "/sections/0/blocks/0/events/0/text", "field required"),
    ("factbox items", block(type="factbox", title="x"), "/sections/0/blocks/0/items",
     "field required"),
    ("quote attribution type", block(type="quote", text="x", attribution=["a"]),
     "/sections/0/blocks/0/attribution", "expected text"),
    ("javascript link", block(type="paragraph", text="[x](javascript:alert(1))"),
     "/sections/0/blocks/0/text", "'javascript:'"),
    ("data link", block(type="paragraph", text="[x](data:text/html,hi)"),
     "/sections/0/blocks/0/text", "'data:'"),
    ("relative link", block(type="paragraph", text="[x](../y.html)"),
     "/sections/0/blocks/0/text", "relative URL"),
    ("control character", lambda d: d.update(title="Bell \u0007"), "/title", "U+0007"),
    ("source without title", lambda d: d.update(sources=[{"url": "https://x.org"}]),
     "/sources/0/title", "field required"),
]


@pytest.mark.parametrize(("name", "change", "pointer", "words"), RULES, ids=[r[0] for r in RULES])
def test_rule(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None], pointer: str,
              words: str) -> None:
    path = write(tmp_path, mutate(change))
    found = problems_of(path)
    assert [p.pointer for p in found] == [pointer], found
    assert words in found[0].message
    assert found[0].line is not None and found[0].column is not None


def test_position_points_at_the_value(tmp_path: Path) -> None:
    text = json.dumps(mutate(lambda d: d.update(published="2020-01-08T11:45:00")), indent=2)
    (problem,) = problems_of(write(tmp_path, text))
    line = text.splitlines()[problem.line - 1]  # type: ignore[operator]
    assert line[problem.column - 1 :].startswith('"2020-01-08T11:45:00"')  # type: ignore[operator]


def test_position_of_unknown_field_is_the_key(tmp_path: Path) -> None:
    text = json.dumps(mutate(lambda d: d.update(titel="x")), indent=2)
    (problem,) = problems_of(write(tmp_path, text))
    line = text.splitlines()[problem.line - 1]  # type: ignore[operator]
    assert line[problem.column - 1 :].startswith('"titel"')  # type: ignore[operator]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = mutate(lambda d: (d.pop("title"), d.update(language="?", zzz=1)))
    data["sections"][0]["blocks"].append({"type": "image", "src": "x.png"})
    pointers = {p.pointer for p in problems_of(write(tmp_path, data))}
    assert pointers == {"/title", "/language", "/zzz", "/sections/0/blocks/1/alt"}


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "id": "x",\n}', 3, 1, "trailing comma before '}'"),
        ('{"sections": [1, 2,]}', 1, 20, "trailing comma before ']'"),
        ('{"id": "x" "title": "y"}', 1, 12, "missing comma"),
        ('{"id": "x\n"}', 1, 10, "raw line break"),
        ('{"id": "x"} {}', 1, 13, "more content after"),
        ("", 1, 1, "the file is empty"),
        ("[1, 2]", 1, 1, "a briefing is a JSON object"),
    ],
)
def test_malformed_json(tmp_path: Path, text: str, line: int, column: int, words: str) -> None:
    (problem,) = problems_of(write(tmp_path, text))
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message


def test_malformed_json_names_the_path(tmp_path: Path) -> None:
    text = '{\n  "sections": [\n    {"blocks": [\n      {"type": "paragraph", "text": "a",}\n'
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.pointer == "/sections/0/blocks/0"
    assert (problem.line, problem.column) == (4, 41)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(b'{\n  "title": "caf' + b"\xe9" + b'"\n}')
    (problem,) = problems_of(path)
    assert (problem.line, problem.column) == (2, 16)
    assert "not UTF-8" in problem.message and "0xE9" in problem.message


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(VALID).encode())
    assert load(path).briefing.id == "valid-briefing"


def test_duplicate_key(tmp_path: Path) -> None:
    text = '{\n  "id": "a",\n  "id": "b"\n}'
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.pointer == "/id" and problem.line == 3 and "twice" in problem.message


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first, second = write(tmp_path, VALID, "a.json"), write(tmp_path, VALID, "b.json")
    results = list(load_all([first, second], tmp_path))
    assert not isinstance(results[0], BriefingError)
    assert isinstance(results[1], BriefingError)
    (problem,) = results[1].problems
    assert problem.pointer == "/id" and "already used by" in problem.message


def test_image_must_exist_and_be_an_image(tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_text("not an image")
    data = mutate(block(type="image", src="missing.png", alt="a"))
    data["sections"][0]["blocks"].append({"type": "image", "src": "fake.png", "alt": "b"})
    path = write(tmp_path, data)
    found = problems_of(path)
    assert [(p.pointer, p.message) for p in found] == [
        ("/sections/0/blocks/0/src", "image 'missing.png' not found"),
        ("/sections/0/blocks/1/src", "image 'fake.png' is not an image"),
    ]
    # each at its value in the file: the line and column an editor goes to
    lines = path.read_text("utf-8").splitlines()
    for problem, name in zip(found, ("missing.png", "fake.png"), strict=True):
        line = next(n for n, text in enumerate(lines, 1) if f'"src": "{name}"' in text)
        assert (problem.line, problem.column) == (line, lines[line - 1].index(f'"{name}"') + 1)


def test_image_outside_the_source_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (tmp_path / "outside.png").write_bytes((Path(__file__).parent / "fixtures/images/chart.png")
                                           .read_bytes())
    path = write(source, mutate(block(type="image", src="../outside.png", alt="a")))
    (problem,) = problems_of(path, source)
    assert "outside the source folder" in problem.message


def test_an_image_decoded_whole_before_is_not_decoded_again(tmp_path: Path) -> None:
    whole = (Path(__file__).parent / "fixtures/images/chart.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[:200])  # its header whole, its pixels cut
    cut = hashlib.sha256(whole[:200]).hexdigest()
    path = write(tmp_path, mutate(block(type="image", src="cut.png", alt="a")))
    (problem,) = problems_of(path)
    assert "is damaged or truncated" in problem.message
    # another image's digest is no reason to skip the decode
    assert "is damaged or truncated" in problems_of(path, None, {"0" * 64})[0].message
    # a digest an earlier read decoded whole: the header alone is read again
    asset = load(path, None, {cut}).assets["cut.png"]
    assert (asset.media_type, asset.sha256) == ("image/png", cut)


def test_a_picture_many_briefings_show_is_decoded_once_in_a_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageFile

    from briefkit import images

    monkeypatch.setattr(images, "_sound", set())
    decodes: list[object] = []
    decode = ImageFile.ImageFile.load

    def counted(image: ImageFile.ImageFile) -> object:
        decodes.append(image)
        return decode(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    whole = (Path(__file__).parent / "fixtures/images/chart.png").read_bytes()
    (tmp_path / "chart.png").write_bytes(whole)
    for name in ("one.json", "two.json", "three.json"):
        asset = load(write(tmp_path, mutate(block(type="image", src="chart.png", alt="a")),
                           name)).assets["chart.png"]
        assert asset.sha256 == hashlib.sha256(whole).hexdigest()
    assert len(decodes) == 1
    # other bytes under the same name are decoded, and refused when damaged
    (tmp_path / "chart.png").write_bytes(whole[:200])
    path = write(tmp_path, mutate(block(type="image", src="chart.png", alt="a")), "four.json")
    assert "is damaged or truncated" in problems_of(path)[0].message
    assert "is damaged or truncated" in problems_of(path)[0].message  # not remembered sound


def test_symlinked_briefing_outside_is_not_read(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    secret = write(tmp_path, VALID, "secret.json")
    (source / "link.json").symlink_to(secret)
    (problem,) = problems_of(source / "link.json", source)
    assert "outside the source folder" in problem.message


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(6 * 1024 * 1024)  # sparse: nothing to read
    (problem,) = problems_of(path)
    assert problem.message == "is larger than 5 MB (6 MB)"


# --- bounds: dates every output can carry, a size a page can be laid out at ---------------


@pytest.mark.parametrize("moment", ["1900-01-01T00:00:00+14:00", "9000-12-31T23:59:59-12:00"])
def test_dates_at_the_bounds_load(moment: str, tmp_path: Path) -> None:
    item = load(write(tmp_path, {**VALID, "published": moment, "updated": moment}))
    assert item.briefing.published.year in (1900, 9000)


@pytest.mark.parametrize("moment", ["1899-12-31T23:59:59Z", "9001-01-01T00:00:00Z"])
def test_dates_beyond_the_bounds_are_refused(moment: str, tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, {**VALID, "updated": moment}))
    assert problem.pointer == "/updated"
    assert problem.message == f"'{moment}': the year must be from 1900 to 9000"


def test_a_briefing_at_the_size_bound_loads(tmp_path: Path) -> None:
    from briefkit.model import MAX_PARTS

    table = {"type": "table", "header": ["a", "b"], "rows": [["1", "2"]] * 999}  # 2,001
    items = {"type": "list", "items": ["x"] * (MAX_PARTS - 2_001 - 1)}
    data = mutate(lambda d: d["sections"][0].update(blocks=[table, items]))
    assert load(write(tmp_path, data)).briefing.parts() == MAX_PARTS
    data["sections"][0]["blocks"][1]["items"].append("one too many")
    (problem,) = problems_of(write(tmp_path, data))
    assert problem.message.startswith(f"the briefing holds {MAX_PARTS + 1:,} blocks")


def test_spaces_and_zero_width_spaces_break_words(tmp_path: Path) -> None:
    text = "\u200b".join(["x" * 1500] * 4) + " " + "\u3000".join(["y" * 1500] * 4)
    load(write(tmp_path, mutate(block(type="paragraph", text=text))))


# --- positions stay cheap with many problems ------------------------------------------


def test_positions_of_many_problems_take_linear_time() -> None:
    """100,000 positions in a text of 100,000 lines: counting lines from the start for
    each (as before) takes minutes, a search in the line starts a fraction of a second."""
    import time

    from briefkit.locate import Positions

    lines = [f'  "k{i}": {i},' for i in range(100_000)]
    text = "\n".join(lines)
    where = Positions(text)
    offsets, start = [], 0
    for line in lines:
        offsets.append(start + 2)
        start += len(line) + 1
    started = time.perf_counter()
    found = [where.line_col(offset) for offset in offsets]
    assert time.perf_counter() - started < 10
    assert found[0] == (1, 3) and found[-1] == (100_000, 3)


def test_ten_thousand_problems_are_each_located(tmp_path: Path) -> None:
    data = mutate(lambda d: d["sections"][0].update(
        blocks=[{"type": "paragraph", "text": 5}] * 4_000))
    problems = problems_of(write(tmp_path, data))
    assert len(problems) == 4_000
    assert [p.line for p in problems[:2]] == [12, 16]
    assert problems[-1].line == 12 + 4 * 3_999
    assert problems[-1].message == "expected text, got a number"
