"""Project settings: defaults declared once, every wrong key reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, make_newsroom
from support.readers import strings

import briefkit
from briefkit.config import PublishSettings, Settings, load_settings, publish_settings
from briefkit.errors import ConfigError
from briefkit.model import Briefing


def test_defaults_without_any_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.theme == "default" and settings.feed.max_entries == 50
    assert settings.output_dir == (tmp_path / "dist").resolve()
    assert settings.base_url is None


def test_pyproject_fallback(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.briefkit]\ntitle = "Desk"\n[tool.briefkit.feed]\n'
                                            "max_entries = 5\n")
    settings = load_settings(tmp_path)
    assert settings.title == "Desk" and settings.feed.max_entries == 5


def test_briefkit_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.briefkit]\ntitle = "P"\n')
    (tmp_path / "briefkit.toml").write_text('title = "B"\n')
    assert load_settings(tmp_path).title == "B"


def test_every_problem_at_once(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(
        'base_url = "example.org"\nlanguage = "French"\nthem = "x"\n[feed]\nmax_entries = 0\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    text = "\n".join(caught.value.lines())
    assert "base_url: 'example.org' is not an absolute http(s) URL" in text
    assert "language:" in text and "BCP 47" in text
    assert "them: unknown setting (did you mean 'theme'?)" in text
    assert "feed.max_entries:" in text
    assert len(caught.value.problems) == 4


def test_where_publish_sends_is_read_only_from_a_file_that_says(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('title = "Desk"\n', "utf-8")
    # the publish models are not even built: validate and export start without them
    code = ("import sys\nfrom pathlib import Path\nfrom briefkit.config import load_settings\n"
            "load_settings(Path('.'))\nprint('briefkit.config.publishing' in sys.modules)\n")
    here = {**os.environ, "PYTHONPATH": str(Path(briefkit.__file__).parents[1])}
    found = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                           text=True, check=True, env=here)
    assert found.stdout.strip() == "False", found.stderr
    plain = load_settings(tmp_path)
    assert type(plain) is Settings
    read = publish_settings(plain)  # briefkit publish: no targets, the default mail server
    assert read.publish == {} and read.smtp.security == "starttls"
    assert read.title == "Desk" and read.fingerprint() == plain.fingerprint()
    (tmp_path / "briefkit.toml").write_text('title = "Desk"\n[publish.web]\nto = "out"\n')
    targets = load_settings(tmp_path)
    assert isinstance(targets, PublishSettings) and targets.publish["web"].to == "out"
    assert publish_settings(targets) is targets
    assert targets.fingerprint() == plain.fingerprint()


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('base_url = "https://example.org/briefings"\n')
    assert load_settings(tmp_path).base_url == "https://example.org/briefings/"


def test_malformed_toml(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text("title = \n")
    with pytest.raises(ConfigError, match=r"briefkit\.toml"):
        load_settings(tmp_path)


def test_fingerprint_changes_with_settings(tmp_path: Path) -> None:
    assert Settings(title="a").fingerprint() != Settings(title="b").fingerprint()


def test_the_cache_bound_is_checked_where_it_is_set_and_shapes_no_output(
        tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(
        'title = "Desk"\n\n[cache]\nunused_days = -1\nmax_megabytes = "lots"\nkeep = 3\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.lines() == [
        "briefkit.toml:4:1: cache.unused_days: input should be greater than or equal to 0",
        "briefkit.toml:5:1: cache.max_megabytes: expected a number, got 'lots'",
        "briefkit.toml:6:1: cache.keep: unknown setting (known: unused_days, max_megabytes)"]
    (tmp_path / "briefkit.toml").write_text("[cache]\nmax_megabytes = inf\n", "utf-8")
    with pytest.raises(ConfigError, match=r"cache\.max_megabytes: input should be a finite"):
        load_settings(tmp_path)
    (tmp_path / "briefkit.toml").write_text("[cache]\nunused_days = 7\nmax_megabytes = 64\n",
                                            "utf-8")
    bounded = load_settings(tmp_path)
    assert (bounded.cache.unused_days, bounded.cache.max_megabytes) == (7, 64)
    # how much the cache keeps changes no output: nothing is made again
    assert bounded.fingerprint() == Settings(root=tmp_path).fingerprint()


@pytest.mark.parametrize(("toml", "expected"), [
    ('title = "Desk\\u0007"\n', "briefkit.toml:1:1: title: control character U+0007 at position 5: "
     "a setting is one line of plain text"),
    ('\npublisher = "The\\nDesk"\n', "briefkit.toml:2:1: publisher: control character U+000A at "
     "position 4: a setting is one line of plain text"),
    ('base_url = "https://example.org/\\u0000"\n', "briefkit.toml:1:1: base_url: control character "
     "U+0000 at position 21: a setting is one line of plain text"),
    ('base_url = "https://example.org/a b"\n', "briefkit.toml:1:1: base_url: "
     "'https://example.org/a b' is not an absolute http(s) URL"),
    ('language = "en\\n"\n', "briefkit.toml:1:1: language: control character U+000A"),
    ('theme = "wire\\u001b[2J"\n', "briefkit.toml:1:1: theme: control character U+001B"),
    ('output = "dist\\r"\n', "briefkit.toml:1:1: output: control character U+000D"),
    ('title = "  "\n', "briefkit.toml:1:1: title: must not be empty"),
], ids=["title", "publisher", "base_url", "url-space", "language", "theme", "output", "empty"])
def test_control_characters_in_settings_are_one_line(toml: str, expected: str,
                                                      tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    lines = caught.value.lines()
    assert len(lines) == 1 and lines[0].startswith(expected), lines
    assert lines[0].isprintable()


def test_a_publisher_is_always_named(tmp_path: Path) -> None:
    """EPUB needs a publisher: without one, the title stands in."""
    assert load_settings(tmp_path).publisher == "Briefings"
    (tmp_path / "briefkit.toml").write_text('title = "Night Desk"\npublisher = " "\n')
    assert load_settings(tmp_path).publisher == "Night Desk"
    (tmp_path / "briefkit.toml").write_text('title = "Night Desk"\npublisher = "Wire"\n')
    assert load_settings(tmp_path).publisher == "Wire"


def test_a_newsroom_sets_its_own_dateline(tmp_path: Path) -> None:
    from briefkit.model import Briefing
    from briefkit.render.dates import conventions_of, dateline

    (tmp_path / "briefkit.toml").write_text(
        '[dateline.fr]\ndate = "EEEE d MMMM y"\n[dateline.en-GB]\nat = "{time}, {date}"\n',
        "utf-8")
    settings = load_settings(tmp_path)
    french = Briefing.model_validate({
        "id": "a", "title": "T", "language": "fr", "published": "2020-01-08T11:45:00+01:00",
        "sections": [{"blocks": [{"type": "paragraph", "text": "x"}]}]})
    assert dateline(french, conventions_of(settings)) == \
        "mercredi\u00a08\u00a0janvier\u00a02020 à 11\u00a0h\u00a045\u00a0UTC+1"
    english = french.model_copy(update={"language": "en-GB"})
    assert dateline(english, conventions_of(settings)) == \
        "11:45\u00a0GMT+1, 8\u00a0January\u00a02020"
    assert dateline(english) == "8\u00a0January\u00a02020, 11:45\u00a0GMT+1"


def test_a_dateline_naming_what_it_cannot_fill_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('[dateline.en]\nat = "{when}"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "briefkit.toml:2:1: dateline.en.at: '{when}' names when: only {date} and {time} can "
        "be used"]


# --- where a key is written, and how deep a file may nest ---------------------------------

def _one_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("name", "toml", "expected"), [
    ("briefkit.toml", 'title = "Desk"\npublisher = \n', "briefkit.toml:2:13: not TOML: Invalid value"),
    ("briefkit.toml", 'title = "a"\ntitle = "b"\n',
     "briefkit.toml:2:12: not TOML: Cannot overwrite a value"),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool]\nbriefkit = 1\n",
     "pyproject.toml:4:1: tool.briefkit: must be a table"),
], ids=["no-value", "twice", "not-a-table"])
def test_a_file_that_is_not_toml_is_one_line_at_its_place(name: str, toml: str, expected: str,
                                                          tmp_path: Path) -> None:
    (tmp_path / name).write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.lines() == [expected]


def test_a_key_is_found_in_its_own_table_with_its_column(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.other]\nmax_entries = 1\n[tool.briefkit.feed]\n  max_entries = 0\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.lines() == [
        "pyproject.toml:4:3: feed.max_entries: input should be greater than or equal to 1"]


@pytest.mark.parametrize(("toml", "expected"), [
    ('title = "T"\nx = ' + "{a = " * 900 + "1" + "}" * 900 + "\n",
     "briefkit.toml:2:85: nested more than 16 deep (arrays and inline tables)"),
    ('title = "T"\nx = ' + "[" * 900 + "]" * 900 + "\n",
     "briefkit.toml:2:21: nested more than 16 deep (arrays and inline tables)"),
    ('title = "T"\n' + "a." * 3000 + "a = 1\n",
     "briefkit.toml:2:1: " + "a." * 16 + "…: nested more than 16 deep (tables, arrays and "
     "dotted keys)"),
    # brackets in strings and comments are no nesting: the line is the real one's
    ('title = "[[[[[[[[[[[[[[[[[[[[" # {{{{{{{{{{{{{{{{{{{{{{{{\n'
     "publisher = '''\n[[[[[[[[[[[[[[[[[[[[[[[[[]'''\n[feed]\nx = " + "[" * 20 + "]" * 20 + "\n",
     "briefkit.toml:5:21: nested more than 16 deep (arrays and inline tables)"),
], ids=["inline-tables", "arrays", "dotted-key", "brackets-in-strings"])
def test_settings_nested_too_deep_are_one_line(toml: str, expected: str,
                                               newsroom: Path) -> None:
    (newsroom / "briefkit.toml").write_text(toml, "utf-8")
    assert _one_refusal(run_briefkit("validate", cwd=newsroom)) == expected


# --- dateline patterns: checked when the settings are read ---------------------------------

#: an English dateline set before the French one, so that a key found by its name alone
#: (not in its table) would be placed on the wrong line
DATELINES = '[dateline.en]\ndate = "d MMMM y"\ntime = "HH:mm"\nat = "{date}, {time}"\n' \
            '[dateline.fr]\n'


def _dateline(key: str, value: str) -> str:
    return DATELINES + f"  {key} = {value}\n"


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("date", '"d MMMM y, HH:mm"', "'d MMMM y, HH:mm': HH is a time field: write it in 'time'"),
    ("at", '"{date:{time}}"', "'{date:{time}}': {date:{time}} changes how the field is "
     "written: write {date} as it is"),
    ("at", '"{date}\\u0000\\u001b[2J{time}"', "control character U+0000 at position 7"),
    ("at", '"{date:x>200000}"', "'{date:x>200000}': {date:x>200000} changes how the field "
     "is written"),
], ids=["time-in-date", "nested", "nul-escape", "width"])
def test_a_dateline_no_format_could_write_is_refused_by_validate(
        key: str, value: str, expected: str, newsroom: Path) -> None:
    """As measured: each of these passed validate and then failed every format."""
    (newsroom / "briefkit.toml").write_text(_dateline(key, value), "utf-8")
    line = _one_refusal(run_briefkit("validate", cwd=newsroom))
    assert line.startswith(f"briefkit.toml:6:3: dateline.fr.{key}: {expected}"), line
    assert line.isprintable()


def test_a_dateline_no_format_could_write_stops_export_before_anything(newsroom: Path) -> None:
    (newsroom / "briefkit.toml").write_text(_dateline("date", '"d MMMM y, HH:mm"'), "utf-8")
    line = _one_refusal(run_briefkit("export", "--all", "-f", "html", "-f", "docx",
                                     cwd=newsroom))
    assert line.startswith("briefkit.toml:6:3: dateline.fr.date:"), line
    assert not (newsroom / "dist").exists()


def test_a_width_in_a_dateline_is_refused_at_once(tmp_path: Path) -> None:
    """{date:x>200000} ran for minutes in every format; now the settings refuse it."""
    (tmp_path / "briefkit.toml").write_text(_dateline("at", '"{date:x>200000}"'), "utf-8")
    started = time.perf_counter()
    with pytest.raises(ConfigError):
        load_settings(tmp_path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("time", "\"d 'h' HH\"", "\"d 'h' HH\": d is a date field: write it in 'date'"),
    ("at", '"{date!r}"', "'{date!r}': {date!r} changes how the field is written"),
    ("at", '"{0}, {time}"', "'{0}, {time}': {0} is a field without a name: only {date} and "
     "{time} can be used"),
    ("at", '"{}"', "'{}': {} is a field without a name"),
    ("at", '"{date.year}"', "'{date.year}' names date.year: only {date} and {time} can be used"),
    ("at", '"{label} {date}"', "'{label} {date}' names label: only {date} and {time}"),
    ("updated_same_day", '"{label} {time"', "'{label} {time': expected '}' before end of "
     "string (write a brace itself as {{ or }})"),
    ("updated_other_day", '"{label} {when}"', "'{label} {when}' names when: only {date}, "
     "{time}, {at} and {label} can be used"),
    ("date", "\"EEEE d MMMM y 'à\"", "\"EEEE d MMMM y 'à\": the quote at position 15 is never "
     "closed"),
    ("date", '"d MMMM y at"', "'d MMMM y at': a is a time field"),
    ("date", '"d MMMM y t"', "'d MMMM y t': 't' is not a CLDR date field: put words in quotes"),
    ("date", '"dddd MMMM"', "'dddd MMMM': dddd is not a CLDR field (write d, dd, ddd)"),
    ("time", '"B h:mm"', "'B h:mm': B (a day period) is missing from CLDR for some hours"),
    ("time", '"  "', "must not be empty"),
    ("at", '"' + "{date} " * 29 + '"', "is 203 characters long: at most 200"),
    ("at", '"{date}\\u202e{time}"', "right-to-left override (U+202E) at position 7 is not "
     "closed"),
], ids=["date-in-time", "conversion", "positional", "empty-field", "attribute", "label-in-at",
        "open-brace", "unknown", "open-quote", "time-letter", "unquoted-letter", "field-length",
        "day-period", "empty", "long", "bidi"])
def test_every_dateline_value_is_checked_alone(key: str, value: str, expected: str,
                                               tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(_dateline(key, value), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    lines = caught.value.lines()
    assert len(lines) == 1 and lines[0].startswith(f"briefkit.toml:6:3: dateline.fr.{key}: "), \
        lines
    assert expected in lines[0], lines


@pytest.mark.parametrize(("table", "expected"), [
    ("zz-ZZ", "briefkit.toml:5:1: dateline.zz-ZZ: CLDR has no locale 'zz-ZZ'"),
    ("fr-XX", "briefkit.toml:5:1: dateline.fr-XX: CLDR has no locale 'fr-XX'"),
], ids=["unknown-language", "unknown-region"])
def test_a_dateline_for_a_locale_cldr_does_not_know_is_one_line(table: str, expected: str,
                                                                tmp_path: Path) -> None:
    """Such a table was never used for any briefing, or failed every export (zz-ZZ)."""
    toml = DATELINES.replace("[dateline.fr]", f"[dateline.{table}]") + 'at = "{date}"\n'
    (tmp_path / "briefkit.toml").write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert [line[:len(expected)] for line in caught.value.lines()] == [expected]


# mostly what a newsroom writes (each written eight times over), now and then what it
# must not
DATELINE_FIELDS = st.sampled_from(["{date}", "{time}", "{at}", "{label}", " à ", ", "] * 8
                                  + ["{{", "{date:>9}", "{time!s}", "{0}", "{", "\x1b"])
_WORDS = ["'à'", "'h'", "''", " ", ", ", "."]
_WRONG = ["B", "t", "'", "ddd"]


def _cldr(fields: list[str], other: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from((fields + _WORDS) * 8 + other + _WRONG),
                    min_size=1, max_size=6).map("".join)


DATE_FIELDS = ["d", "dd", "MMMM", "MMM", "y", "EEEE", "G", "Q", "w", "D"]
TIME_FIELDS = ["HH", "h", "mm", "ss", "a", "z", "zzzz", "ZZZZZ", "v", "O", "S", "A"]
DATE_CLDR = _cldr(DATE_FIELDS, TIME_FIELDS[:2])
TIME_CLDR = _cldr(TIME_FIELDS, DATE_FIELDS[:2])


@given(date=st.none() | DATE_CLDR, time_=st.none() | TIME_CLDR,
       at=st.none() | st.lists(DATELINE_FIELDS, min_size=1, max_size=4).map("".join),
       updated=st.none() | st.lists(DATELINE_FIELDS, min_size=1, max_size=4).map("".join))
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_dateline_that_passes_is_written_for_every_briefing(
        date: str | None, time_: str | None, at: str | None, updated: str | None,
        tmp_path: Path) -> None:
    """Whatever a newsroom sets, either the settings refuse it with one line, or every
    briefing's dateline is written from it: one line of plain text, in every language
    the table covers, published and updated at any hour and offset."""
    from briefkit.render.dates import conventions_of, dateline

    values = {"date": date, "time": time_, "at": at, "updated_other_day": updated}
    chosen = {k: v for k, v in values.items() if v is not None}
    try:
        newsroom = load_settings(tmp_path, {"language": "fr-CA",
                                            "dateline": {"fr": chosen, "en-GB": chosen}})
    except ConfigError as error:
        assert len(error.lines()) >= 1 and all(line.isprintable() for line in error.lines())
        return
    for language in ("fr", "fr-CA", "en-GB"):
        for published, later in (("2020-01-08T11:45:00+01:00", "2020-01-09T00:05:00-12:00"),
                                 ("1900-01-01T00:00:00Z", "9000-12-31T23:59:00+14:00")):
            briefing = Briefing.model_validate({
                "id": "a", "title": "T", "language": language, "published": published,
                "updated": later, "sections": [{"blocks": [{"type": "paragraph",
                                                             "text": "x"}]}]})
            written = dateline(briefing, conventions_of(newsroom))
            assert len(written) < 2_000
            assert not [ch for ch in written if unicodedata.category(ch) in ("Cc", "Zl", "Zp")]


# --- base_url, title and publisher: bounded ------------------------------------------------

#: 2,048 (a sitemap's <loc>) less the longest path briefkit appends: a theme's logo,
#: theme/<240 characters>-<10 of its digest>.jpg
MAX_BASE_URL = 2048 - 261


def test_a_base_url_of_3000_characters_is_one_line(newsroom: Path) -> None:
    base = "https://briefings.example.org/" + "a" * 2970
    (newsroom / "briefkit.toml").write_text(f'title = "T"\n\nbase_url = "{base}"\n', "utf-8")
    assert _one_refusal(run_briefkit("validate", cwd=newsroom)) == (
        f"briefkit.toml:3:1: base_url: is 3,000 characters long: at most {MAX_BASE_URL:,}, so "
        "that every address briefkit writes under it stays within the 2,048 characters a "
        "sitemap allows")


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/news?edition=uk", "has a query or a fragment"),
    ("https://example.org/news#top", "has a query or a fragment"),
    ("https://desk:secret@example.org/", "carries a user name or password"),
    ("https://exämple.org/", "'ä' at position 11 cannot be written in an address"),
    ("https://example.org/<b>/", "'<' at position 21 cannot be written in an address"),
    ("https://example.org/100%/", "'%' at position 24 cannot be written in an address"),
    ("https://example.org:0/", "is not an absolute http(s) URL"),
    ("https://example.org:99999/", "is not an absolute http(s) URL"),
], ids=["query", "fragment", "userinfo", "non-ascii", "angle", "percent", "port-0", "port"])
def test_a_base_url_takes_a_path_and_nothing_else(url: str, expected: str,
                                                  tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(f'base_url = "{url}"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    lines = caught.value.lines()
    assert len(lines) == 1 and lines[0].startswith("briefkit.toml:1:1: base_url: "), lines
    assert expected in lines[0]


def test_every_address_under_the_longest_base_url_fits_a_sitemap(tmp_path: Path) -> None:
    """The longest base_url accepted, the longest id and image name: every address the
    sitemap, the ninjs item and the JSON feed give is within the 2,048 characters of a
    sitemap's <loc>; one character more is refused."""
    from lxml import etree

    room = make_newsroom(tmp_path, copies=0)
    briefing = json.loads((room / "source" / f"{ENGLISH}.json").read_text("utf-8"))
    long_id = "-".join(["night-bus-network"] * 5)[:80].strip("-")
    long_id += "x" * (80 - len(long_id))
    image = "images/" + "n" * 70 + ".png"
    shutil.copy(room / "source" / "images" / "night-bus-journeys.png", room / "source" / image)
    text = json.dumps({**briefing, "id": long_id}).replace("images/night-bus-journeys.png", image)
    (room / "source" / f"{long_id}.json").write_text(text, "utf-8")
    base = "https://briefings.example.org/"
    base += "b" * (MAX_BASE_URL - len(base) - 1) + "/"
    (room / "briefkit.toml").write_text(f'base_url = "{base[:-1]}x/"\n', "utf-8")
    assert "base_url: is" in _one_refusal(run_briefkit("validate", cwd=room))
    (room / "briefkit.toml").write_text(f'base_url = "{base}"\n', "utf-8")
    result = run_briefkit("export", "--all", "-f", "html", "-f", "sitemap", "-f", "ninjs",
                          "-f", "jsonfeed", "-q", cwd=room)
    assert result.returncode == 0, result.stderr
    sitemap = etree.parse(str(room / "dist" / "sitemap.xml"))
    found = [loc.text for loc in sitemap.iter("{*}loc")]
    found += [v for v in strings(json.loads((room / "dist" / "feed.json").read_bytes()))
              if v.startswith(base)]
    found += [v for v in strings(json.loads((room / "dist" / f"{long_id}.ninjs.json")
                                             .read_bytes())) if v.startswith(base)]
    assert any("images/" in address for address in found)
    assert max(map(len, found)) <= 2048
    assert max(map(len, found)) > 2048 - 100  # the test reaches close to the bound


@pytest.mark.parametrize("key", ["title", "publisher"])
def test_a_title_or_publisher_is_at_most_200_characters(key: str, tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(f'{key} = "{"D" * 200}"\n', "utf-8")
    assert getattr(load_settings(tmp_path), key) == "D" * 200
    (tmp_path / "briefkit.toml").write_text(f'{key} = "{"D" * 201}"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.lines() == [
        f"briefkit.toml:1:1: {key}: is 201 characters long: at most 200"]
