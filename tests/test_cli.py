"""The command line as a user meets it: one line per problem, exit codes, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support.commands import run_briefkit

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<ptr>/\S*): (?P<msg>.+)$")

BAD = {
    "missing-title.json": ('{\n  "id": "a",\n  "language": "fr",\n'
                           '  "published": "2020-01-08T11:45:00+01:00",\n'
                           '  "sections": [{"heading": "Q ?"}]\n}\n', "/title", "field required"),
    "naive-date.json": ('{\n  "id": "b",\n  "title": "T",\n  "language": "fr",\n'
                        '  "published": "2020-01-08T11:45:00",\n'
                        '  "sections": [{"heading": "Q ?"}]\n}\n', "/published", "no UTC offset"),
    # a document that does not parse is pointed at as a whole, where the parser stopped
    "trailing-comma.json": ('{\n  "id": "c",\n  "title": "T",\n}\n', "/", "trailing comma"),
    "typo.json": ('{\n  "id": "d",\n  "titel": "T",\n  "title": "T",\n  "language": "fr",\n'
                  '  "published": "2020-01-08T11:45:00Z",\n  "sections": [{"heading": "Q ?"}]\n}\n',
                  "/titel", "did you mean 'title'"),
    "bad-id.json": ('{\n  "id": "../../x",\n  "title": "T",\n  "language": "fr",\n'
                    '  "published": "2020-01-08T11:45:00Z",\n  "sections": [{"heading": "Q ?"}]\n}\n',
                    "/id", "not a slug"),
}


def test_validate_prints_one_clear_line_per_problem(tmp_path: Path) -> None:
    for name, (text, _, _) in BAD.items():
        (tmp_path / name).write_text(text, "utf-8")
    result = run_briefkit("validate", *sorted(BAD), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("0 valid")]
    assert len(lines) == len(BAD), result.stderr
    for line in lines:
        match = LINE.match(line)
        assert match, line
        _, pointer, words = BAD[match["file"]]
        assert match["ptr"] == pointer and words in match["msg"], line
    trailing = next(line for line in lines if line.startswith("trailing-comma.json:"))
    assert trailing == "trailing-comma.json:4:1: /: malformed JSON: trailing comma before '}'"


def test_validate_samples(newsroom: Path) -> None:
    result = run_briefkit("validate", cwd=newsroom)
    assert result.returncode == 0, result.stderr
    assert "2 valid, 0 invalid" in result.stdout


def test_export_skips_a_bad_briefing_and_exports_the_rest(newsroom: Path) -> None:
    (newsroom / "source" / "broken.json").write_text('{"id": "broken",}', "utf-8")
    result = run_briefkit("export", "--all", "-f", "html", cwd=newsroom)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"source/broken.json:1:\d+: .*trailing comma", result.stderr)
    assert (newsroom / "dist" / "night-bus-network.html").is_file()
    assert (newsroom / "dist" / "iran-frappes-bases-americaines-irak.html").is_file()
    manifest = json.loads((newsroom / ".briefkit" / "manifests" / "dist.json").read_text())
    listed = {o["path"]: o for o in manifest["outputs"]}
    html = newsroom / "dist" / "night-bus-network.html"
    assert listed["night-bus-network.html"]["bytes"] == html.stat().st_size
    assert not list((newsroom / "dist").glob(".*.part"))


def test_unknown_format_names_the_installed_ones(newsroom: Path) -> None:
    result = run_briefkit("export", "--all", "-f", "htm", cwd=newsroom)
    assert result.returncode == 1
    assert "unknown format 'htm': did you mean 'html'?" in result.stderr
    assert "installed formats are" in result.stderr and "Traceback" not in result.stderr


def test_export_needs_briefings_or_all(newsroom: Path) -> None:
    result = run_briefkit("export", cwd=newsroom)
    assert result.returncode == 2 and "--all" in result.stderr


def test_export_one_file_to_another_folder(newsroom: Path) -> None:
    result = run_briefkit("export", "source/night-bus-network.json", "-f", "html",
                          "--out", "public", cwd=newsroom)
    assert result.returncode == 0, result.stderr
    assert (newsroom / "public" / "night-bus-network.html").is_file()
    assert not (newsroom / "public" / "iran-frappes-bases-americaines-irak.html").exists()


def test_missing_theme_lists_installed_ones(newsroom: Path) -> None:
    result = run_briefkit("export", "--all", "-f", "html", "--theme", "nope", cwd=newsroom)
    assert result.returncode == 1
    assert "theme 'nope' not found; installed themes: default" in result.stderr


def test_bad_settings_are_reported_with_a_suggestion(newsroom: Path) -> None:
    (newsroom / "briefkit.toml").write_text('titel = "x"\n[feed]\nmax_entrie = 3\n', "utf-8")
    result = run_briefkit("validate", cwd=newsroom)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "briefkit.toml:1:1: titel: unknown setting (did you mean 'title'?)" in result.stderr
    assert "briefkit.toml:3:1: feed.max_entrie: unknown setting (did you mean 'max_entries'?)" \
        in result.stderr


def test_validate_checks_the_theme_every_export_needs(newsroom: Path) -> None:
    """A theme no export can use makes the folder invalid, one line per problem, and the
    briefings are still checked and counted."""
    folder = newsroom / "themes" / "evening"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('[colours]\n\naccent = "red"\n', "utf-8")
    settings = newsroom / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8").replace('theme = "default"',
                                                            'theme = "evening"'), "utf-8")
    (newsroom / "source" / "broken.json").write_text('{"id": "broken",}', "utf-8")
    result = run_briefkit("validate", cwd=newsroom)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == ("themes/evening/theme.toml:3:1: colours.accent: 'red' is not a colour: "
                        "write it as '#rrggbb' (or '#rgb')")
    assert re.match(r"source/broken.json:1:\d+: .*trailing comma", lines[1])
    assert lines[2:] == ["2 valid, 1 invalid; theme 'evening' invalid"]


def test_validate_names_a_missing_theme(newsroom: Path) -> None:
    settings = newsroom / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8").replace('theme = "default"',
                                                            'theme = "evening"'), "utf-8")
    result = run_briefkit("validate", "-q", cwd=newsroom)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "briefkit: theme 'evening' not found; installed themes: default, wire"]


def test_schema_command_prints_json_schema(tmp_path: Path) -> None:
    result = run_briefkit("schema", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["properties"]["id"]["pattern"]


def test_the_schema_is_written_whole_never_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not the schema", "utf-8")
    (tmp_path / "schema.json").symlink_to(outside)
    result = run_briefkit("schema", "-o", "schema.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert outside.read_text("utf-8") == "not the schema"
    assert not (tmp_path / "schema.json").is_symlink()
    assert json.loads((tmp_path / "schema.json").read_text("utf-8"))["properties"]["id"]
    result = run_briefkit("schema", "-o", "no/such/folder/schema.json", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "briefkit: cannot write no/such/folder/schema.json (No such file or directory)"]


def test_misused_options_are_usage_errors(newsroom: Path) -> None:
    for args in (("--pdf-variant", "pdf/a-9"), ("--jobs", "0")):
        result = run_briefkit("export", "--all", *args, cwd=newsroom)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and "error: argument" in result.stderr
