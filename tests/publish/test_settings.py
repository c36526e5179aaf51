"""Publish settings are checked at load like the rest: one line each, at
briefkit.toml:line:col, and a password is never taken from the project nor printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from publish.servers import synthetic_dist
from support.commands import run_briefkit

BASE = 'title = "Desk"\n[feed]\nmax_entries = 5\n'


def refused(tmp_path: Path, settings: str, *args: str) -> list[str]:
    (tmp_path / "briefkit.toml").write_text(BASE + settings)
    result = run_briefkit("publish", *args, cwd=tmp_path)
    assert result.returncode == 1
    return result.stderr.splitlines()


def test_a_password_in_the_settings_is_refused_and_never_shown(tmp_path: Path) -> None:
    lines = refused(tmp_path, '[publish.afp]\nto = "ftp://desk@drop.example/in/"\n'
                              'password = "hunter2-secret"\n')
    assert lines == ['briefkit.toml:6:1: publish.afp.password: a password is never written in '
                     'briefkit.toml (the project travels, with its history): keep it in an '
                     'environment variable and name that with password_env = "NAME"']


def test_a_password_in_an_address_is_refused_and_never_shown(tmp_path: Path) -> None:
    lines = refused(tmp_path, '[publish.web]\nto = "sftp://deploy:hunter2-secret@web.example/x/"\n')
    assert len(lines) == 1 and "hunter2-secret" not in lines[0]
    assert lines[0].startswith("briefkit.toml:5:1: publish.web.to: a password is never written")


@pytest.mark.parametrize(("table", "expected"), [
    ('[publish.web]\nto = "gopher://x/"\n',
     "briefkit.toml:5:1: publish.web.to: gopher:// is not a kind of target briefkit publishes "
     "to: sftp://, ftp://, ftps://, s3://, file:// (or a folder) or mailto:"),
    ('[publish.web]\nto = "sftp://web.example/x/"\nformts = ["pdf"]\n',
     "briefkit.toml:6:1: publish.web.formts: unknown setting (did you mean 'formats'?)"),
    ('[publish.web]\nto = "sftp://web.example/x/"\n[publish.afp]\nto = "ftp://x/"\n'
     "parallel = 0\n",
     "briefkit.toml:8:1: publish.afp.parallel: input should be greater than or equal to 1"),
    ('[publish.desk]\nto = "mailto:partners@example.org"\n',
     "briefkit.toml:5:1: publish.desk.to: an e-mail target sends through the mail server of "
     "[smtp]: set host and from there"),
    ('[publish.archive]\nto = "s3://bucket/x/"\nknown_hosts = "~/.ssh/known_hosts"\n',
     "briefkit.toml:6:1: publish.archive.known_hosts: only for sftp:// targets"),
    ('[publish."Web Host"]\nto = "sftp://web.example/x/"\n',
     "briefkit.toml:4:1: publish.Web Host: a target's name is lower-case letters, digits, '-' "
     "and '_' (at most 40), as it names its receipt in .briefkit/receipts/"),
    ('[smtp]\nhost = "mail.example.org"\nsecurity = "none"\n',
     'briefkit.toml:6:1: smtp.security: "none" sends in clear text: only for a server on this '
     "machine (127.0.0.1 or localhost), not 'mail.example.org'"),
    ('[publish.web]\nto = "sftp://web.example/x/"\npassword_env = "my password"\n',
     "briefkit.toml:6:1: publish.web.password_env: 'my password' is not the name of an "
     "environment variable, e.g. 'AFP_FTP_PASSWORD' (the name, never the password itself)"),
], ids=["scheme", "typo", "parallel", "mail-server", "key-for-another-kind", "name", "smtp",
        "password-env"])
def test_a_wrong_setting_is_one_line_at_its_place(tmp_path: Path, table: str,
                                                  expected: str) -> None:
    assert refused(tmp_path, table) == [expected]


def test_hubs_are_absolute_addresses(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('[feed]\nhubs = ["hub.example"]\n')
    result = run_briefkit("validate", cwd=tmp_path)
    assert result.stderr.splitlines()[0] == (
        "briefkit.toml:2:1: feed.hubs.0: 'hub.example' is not an absolute http(s) URL of a "
        "WebSub hub")


def test_a_format_no_exporter_makes_is_one_line_at_its_place(tmp_path: Path) -> None:
    synthetic_dist(tmp_path, 1, 10)
    assert refused(tmp_path, f'[publish.afp]\nto = "{tmp_path / "afp"}"\nformats = ["pfd"]\n') \
        == ["briefkit.toml:6:1: publish.afp.formats.0: no exporter makes 'pfd': did you mean "
            "'pdf'? formats are atom, digest, docx, email, epub, html, index, jsonfeed, ninjs, "
            "pdf, rss, sitemap"]


def test_targets_named_on_the_command_line_must_exist(tmp_path: Path) -> None:
    assert refused(tmp_path, '[publish.web]\nto = "sftp://web.example/x/"\n', "wbe") == [
        "briefkit: no target named 'wbe' in briefkit.toml: did you mean 'web'? targets are web"]


def test_without_targets_or_exports_publish_says_what_to_do(tmp_path: Path) -> None:
    assert refused(tmp_path, "") == [
        "briefkit: no publish targets in briefkit.toml: add one, e.g. [publish.web] "
        'to = "sftp://user@host/var/www/briefings/"']
    assert refused(tmp_path, f'[publish.web]\nto = "{tmp_path / "web"}"\n') == [
        "briefkit: nothing exported in dist/ yet: run briefkit export --all first"]


def test_a_local_target_inside_the_output_folder_is_refused(tmp_path: Path) -> None:
    synthetic_dist(tmp_path, 1, 10)
    assert refused(tmp_path, '[publish.mirror]\nto = "dist/mirror"\n') == [
        "briefkit.toml:5:1: publish.mirror.to: a target cannot be, hold or lie inside the "
        "output folder"]
