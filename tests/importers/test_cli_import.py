"""`briefkit import` as a user runs it: the seed to the French sample, notes, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.commands import run_briefkit
from support.newsrooms import FRENCH, SAMPLES, empty_newsroom

from briefkit.importers import slug, title_from
from briefkit.importers.language import guess_language

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
SEED_OPTIONS = ("--title", "Frappes iraniennes en Irak : ce que l’on sait",
                "--published", "2020-01-08T11:45:00+01:00", "--id", FRENCH,
                "--language", "fr", "--author", "La rédaction")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom with an empty source/ and the files to import beside it."""
    folder = empty_newsroom(tmp_path_factory.mktemp("desk"))
    for item in FIXTURES.iterdir():
        shutil.copy(item, folder / item.name)
    return folder


def test_the_seed_imports_to_the_sample_on_stdout(desk: Path) -> None:
    result = run_briefkit("import", "iran-cms.txt", *SEED_OPTIONS, cwd=desk)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "note: iran-cms.txt read as CMS text\n"
    written = json.loads(result.stdout)
    sample = json.loads((SAMPLES / f"{FRENCH}.json").read_text("utf-8"))
    assert written["standfirst"] == sample["standfirst"]
    assert written["sections"] == sample["sections"]
    # UTF-8 as written, two-space indent
    assert "l’Iran" in result.stdout and "\\u" not in result.stdout
    assert result.stdout.startswith('{\n  "id": "iran-frappes-bases-americaines-irak",\n')


def test_written_into_source_it_validates(desk: Path) -> None:
    result = run_briefkit("import", "iran-cms.txt", "-o", "source", *SEED_OPTIONS, cwd=desk)
    assert result.returncode == 0, result.stderr
    target = desk / "source" / f"{FRENCH}.json"
    assert f"wrote source/{FRENCH}.json" in result.stderr
    checked = run_briefkit("validate", str(target), cwd=desk)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "1 valid, 0 invalid"
    again = run_briefkit("import", "iran-cms.txt", "-o", str(target), "--replace", *SEED_OPTIONS,
                         cwd=desk)
    assert f"replaced source/{FRENCH}.json" in again.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_an_unwritable_output_is_one_clear_line(desk: Path) -> None:
    result = run_briefkit("import", "iran-cms.txt", "-o", "no/such/folder/x.json", *SEED_OPTIONS,
                          cwd=desk)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "briefkit: cannot write no/such/folder/x.json (No such file or directory)")


@pytest.mark.parametrize("replace", [False, True])
def test_a_link_planted_at_the_temporary_name_is_never_written_through(
        tmp_path: Path, replace: bool) -> None:
    room, outside = tmp_path / "room", tmp_path / "outside.txt"
    (room / "source").mkdir(parents=True)
    shutil.copy(FIXTURES / "iran-cms.txt", room / "iran-cms.txt")
    outside.write_text("outside the project\n", "utf-8")
    planted = room / "source" / ".budget-vote.json.part"
    planted.symlink_to(outside)
    options = ["--title", "Budget vote", "--published", "2020-01-08T11:45:00+01:00",
               "--language", "fr", *(["--replace"] if replace else [])]
    result = run_briefkit("import", "iran-cms.txt", "--id", "budget-vote", "-o", "source",
                          *options, cwd=room)
    assert result.returncode == 0, result.stderr
    assert outside.read_text("utf-8") == "outside the project\n"
    written = room / "source" / "budget-vote.json"
    assert not written.is_symlink() and written.is_file()
    assert json.loads(written.read_text("utf-8"))["id"] == "budget-vote"
    assert planted.is_symlink()  # not ours: left as it was
    # nothing else left behind in source/
    assert sorted(p.name for p in (room / "source").iterdir()) == [planted.name, written.name]


def test_guesses_are_printed_as_notes(desk: Path) -> None:
    result = run_briefkit("import", "iran-cms.txt", "-o", "guessed.json",
                          "--published", "2020-01-08T11:45:00+01:00", cwd=desk)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert any("language guessed as 'fr'" in n for n in notes)
    assert any("title made from the first sentence of the standfirst" in n for n in notes)
    assert any("id made from the title" in n for n in notes)
    written = json.loads((desk / "guessed.json").read_text("utf-8"))
    assert written["language"] == "fr"


@pytest.mark.parametrize("args, message", [
    (("iran-cms.txt", "--title", "T"),
     "iran-cms.txt: no publication date in the file: pass --published"),
    (("empty.txt",), "empty.txt: the file is empty: nothing to import"),
    (("blank.md",), "blank.md: the file is empty: nothing to import"),
    (("binary.txt",), "binary.txt: is a binary file, not text"),
    (("latin1.txt",), "latin1.txt:1:1: not UTF-8: byte 0xE9"),
    (("control.txt",), "control.txt:1:28: control character U+0001"),
    (("script.html",), "script.html:3:1: <script> cannot be imported"),
    (("iframe.html",), "iframe.html:2:11: <iframe> cannot be imported"),
    (("editor-note.html",), "editor-note.html:3:39: an HTML comment opened here is never closed"),
    (("missing.html",), "missing.html: no such file"),
    (("iran-cms.txt", "--published", "2020-01-08", "--title", "T"),
     "iran-cms.txt: published: '2020-01-08' is not an RFC 3339 date-time"),
])
def test_bad_input_is_one_clear_line(desk: Path, args: tuple[str, ...], message: str) -> None:
    result = run_briefkit("import", *args, cwd=desk)
    assert result.returncode == 1
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(message), errors[0]
    assert "Traceback" not in result.stderr and "document.cookie" not in result.stderr
    assert "transport office" not in result.stderr


def test_a_language_that_cannot_be_told_is_asked_for(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Ok.\n\nFine.\n", "utf-8")
    result = run_briefkit("import", "a.md", "--title", "T", "--published", "2024-01-01T00:00:00Z",
                          cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot tell which language the article is in: pass --language" in result.stderr


@pytest.mark.parametrize("language, text", [
    ("fr", ("Le gouvernement a annoncé mercredi qu’il ne changera pas sa position sur la réforme "
           "des retraites, malgré les grèves qui se poursuivent dans les transports.")),
    ("en", ("The government said on Wednesday that it would not change its position on the "
           "pension reform, despite the strikes that are continuing in transport.")),
    ("de", ("Die Regierung hat am Mittwoch angekündigt, dass sie ihre Position zur Rentenreform "
           "nicht ändern wird, auch wenn die Streiks im Verkehr weitergehen.")),
    ("es", ("El gobierno anunció el miércoles que no cambiará su posición sobre la reforma de las "
           "pensiones, pese a las huelgas que continúan en los transportes y también en el sur.")),
    ("it", ("Il governo ha annunciato mercoledì che non cambierà la sua posizione sulla riforma "
           "delle pensioni, nonostante gli scioperi che sono ancora in corso nei trasporti.")),
    ("ar", "أعلنت الحكومة يوم الأربعاء أنها لن تغير موقفها من إصلاح نظام التقاعد رغم الإضرابات."),
    ("nl", ("De regering heeft woensdag aangekondigd dat zij haar standpunt over de "
            "pensioenhervorming niet zal wijzigen, ondanks de stakingen in het vervoer.")),
    ("pt", ("O governo anunciou na quarta-feira que não vai mudar a sua posição sobre a reforma "
            "das pensões, apesar das greves que continuam nos transportes.")),
    ("he", "הממשלה הודיעה ביום רביעי כי לא תשנה את עמדתה בנוגע לרפורמה בפנסיות, למרות השביתות."),
])
def test_the_language_guess(language: str, text: str) -> None:
    assert guess_language(text) == language


def test_no_language_guess_on_too_little_text() -> None:
    assert guess_language("Paris, 8 janvier.") is None


def test_no_guess_in_a_script_no_labelled_language_is_written_in() -> None:
    assert guess_language("為透明及軟性導體市場提供銀奈米線解決方案的領導廠商今天宣布該公司最近被評選") is None


def test_ids_are_ascii_slugs_cut_between_words() -> None:
    assert slug("Frappes iraniennes en Irak : ce que l’on sait") == \
        "frappes-iraniennes-en-irak-ce-que-l-on-sait"
    assert slug("Straße, Œuvre & Łódź") == "strasse-oeuvre-lodz"
    long = slug("word " * 40)
    assert len(long) <= 80 and long.endswith("word") and "--" not in long
    assert slug("🎉 !") == ""


@pytest.mark.parametrize("title, made", [
    ("الضربات الإيرانية على العراق", "ldrbt-lyrny-l-l-rq"),
    ("עודכן היום בירושלים", "vdkn-hyvm-byrvshlym"),
    ("Ночные автобусы: что изменится", "nochnye-avtobusy-chto-izmenitsia"),
    ("Αθήνα σήμερα", "athena-semera"),
])
def test_titles_in_other_scripts_are_transliterated(title: str, made: str) -> None:
    assert slug(title) == made


def test_a_long_non_latin_title_is_cut_between_words() -> None:
    made = slug("Ночные автобусы " * 20)
    assert len(made) <= 80 and not made.endswith("-")
    assert made.rsplit("-", 1)[1] in ("nochnye", "avtobusy")


def test_a_made_title_is_the_first_sentence() -> None:
    assert title_from("Short *first* one. Then more.") == "Short first one"
    made = title_from("A " + "very " * 40 + "long sentence.")
    assert len(made) <= 121 and made.endswith("very…")
