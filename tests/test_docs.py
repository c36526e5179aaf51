"""README and docs/ stay honest: README stays a short guide, every relative link leads to a
file (and heading) that exists, docs/reference.md names every command and every option the
command line prints in its help, every setting and every environment variable briefkit
reads, and the publishing guide every key of a target and of the mail server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import get_args, get_origin

from pydantic import BaseModel
from support.commands import run_briefkit
from support.newsrooms import ROOT

from briefkit.config import PublishSettings, PublishTarget, SmtpSettings

README = ROOT / "README.md"
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference.md"
PUBLISHING = DOCS / "publishing.md"
SOURCE = ROOT / "src" / "briefkit"
#: The pages of the guide, each linked from README's "where to read more".
GUIDE = ("format", "themes", "formats", "exporters", "import", "serve", "publishing",
         "cluster", "engine", "gates", "reference", "layout")
MAX_README_LINES = 220

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`+[^`\n]*`+")
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SCHEMES = ("http:", "https:", "mailto:")


def _prose(text: str) -> str:
    """The text with code left out: a link written inside code is an example, not a link."""
    return _CODE.sub("code", _FENCE.sub("", text))


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped,
    spaces as hyphens, a repeated heading numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_FENCE.sub("", page.read_text("utf-8"))):
        text = re.sub(r"`([^`]*)`", r"\1", heading)
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if not count else f"{slug}-{count}")
    return found


def _links(page: Path) -> list[str]:
    return _LINK.findall(_prose(page.read_text("utf-8")))


def _broken(page: Path) -> list[str]:
    """Each relative link of ``page`` that leads to no file, or to no heading of its file."""
    broken = []
    for target in _links(page):
        if target.startswith(_SCHEMES):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or not linked.resolve().is_relative_to(ROOT):
            broken.append(f"{page.relative_to(ROOT)}: {target}: no such file")
        elif anchor and (linked.suffix != ".md" or anchor not in _anchors(linked)):
            broken.append(f"{page.relative_to(ROOT)}: {target}: no such heading")
    return broken


def test_readme_is_a_guide_of_at_most_220_lines() -> None:
    lines = README.read_text("utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move the detail to docs/"


def test_every_relative_link_leads_to_a_file_and_heading() -> None:
    pages = [README, *sorted({*DOCS.glob("*.md"), *(DOCS / f"{n}.md" for n in GUIDE)})]
    missing = [f"{p.relative_to(ROOT)}: missing" for p in pages if not p.is_file()]
    broken = [line for p in pages if p.is_file() for line in _broken(p)]
    assert not missing + broken, "\n".join(missing + broken)


def test_readme_points_to_every_page_of_the_guide() -> None:
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in _links(README)
              if not t.startswith(_SCHEMES)}
    pages = {*(DOCS / f"{n}.md" for n in GUIDE), *DOCS.glob("*.md")}
    unlinked = sorted(str(p.relative_to(ROOT)) for p in pages if p.resolve() not in linked)
    assert not unlinked, f"README.md does not link {', '.join(unlinked)}"


def _help(*command: str) -> str:
    # wide enough that argparse writes each option and its help on one line
    result = run_briefkit(*command, "--help", cwd=ROOT, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _options(help_text: str) -> list[str]:
    """The options a help text lists (``-o``, ``--output`` ...), from its option lines."""
    found = []
    for line in help_text.splitlines():
        if line.startswith("  -"):
            names = line.strip().split("  ")[0]
            found += re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", names)
    return found


def _commands() -> list[str]:
    listing = _help().split("positional arguments:")[1].split("options:")[0]
    return re.findall(r"^ {4}([a-z][\w-]*)", listing, re.MULTILINE)


def _section(text: str, command: str) -> str | None:
    """The part of the reference under the heading naming ``briefkit <command>``."""
    match = re.search(rf"^(#+)[ \t]+`?briefkit {re.escape(command)}\b[^\n]*$", text,
                      re.MULTILINE)
    if match is None:
        return None
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}}[ \t]", re.MULTILINE).search(text, match.end())
    return text[match.end():end.start() if end else len(text)]


def _named(option: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_every_command_and_option_is_in_the_reference() -> None:
    assert REFERENCE.is_file(), "docs/reference.md is missing"
    reference = REFERENCE.read_text("utf-8")
    commands = _commands()
    assert "export" in commands  # the listing was read
    unnamed = [f"briefkit {o}" for o in _options(_help()) if not _named(o, reference)]
    for command in commands:
        section = _section(reference, command)
        if section is None:
            unnamed.append(f"briefkit {command}: no heading")
            continue
        unnamed += [f"briefkit {command} {o}" for o in _options(_help(command))
                    if not _named(o, section)]
    assert not unnamed, "not in docs/reference.md: " + ", ".join(unnamed)


def _setting_keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key ``model`` reads, dotted as the reference writes it; the name of a table
    chosen by the user (``[dateline.fr]``, ``[publish.web]``) as ``<...>``."""
    for name, field in model.model_fields.items():
        if field.exclude:  # not a setting: where the project is
            continue
        key, annotation = prefix + (field.alias or name), field.annotation
        if get_origin(annotation) is dict:
            yield from _setting_keys(get_args(annotation)[1], f"{key}.<...>.")
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _setting_keys(annotation, f"{key}.")
        else:
            yield key


def _written(key: str, text: str) -> bool:
    """Whether ``text`` names ``key`` in code (``dateline.<language>.date`` for a table)."""
    pattern = re.escape(key).replace(re.escape("<...>"), "<[a-z]+>")
    return re.search(rf"`{pattern}`", text) is not None


def test_every_setting_is_in_the_reference() -> None:
    section = REFERENCE.read_text("utf-8").split("\n## Settings", 1)[-1].split("\n## ", 1)[0]
    keys = list(_setting_keys(PublishSettings))  # every setting, where publish sends too
    assert "publish.<...>.to" in keys and "smtp.from" in keys  # the model was read
    missing = [key for key in keys if not _written(key, section)]
    assert not missing, "not in the settings of docs/reference.md: " + ", ".join(missing)


def test_every_environment_variable_briefkit_reads_is_in_the_reference() -> None:
    reference = REFERENCE.read_text("utf-8")
    read = re.compile(r"""(?:environ\.get\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]*)["']""")
    names = {name for path in SOURCE.rglob("*.py")
             for name in read.findall(path.read_text("utf-8"))}
    assert "SOURCE_DATE_EPOCH" in names  # the code was read
    missing = sorted(name for name in names if not _named(name, reference))
    assert not missing, "not in docs/reference.md: " + ", ".join(missing)


def test_the_publishing_guide_names_every_key_of_a_target_and_of_the_mail_server() -> None:
    guide = PUBLISHING.read_text("utf-8")
    keys = [*_setting_keys(PublishTarget), *_setting_keys(SmtpSettings)]
    assert "password_env" in keys and "from" in keys
    missing = sorted({key for key in keys if not _written(key, guide)})
    assert not missing, "not in docs/publishing.md: " + ", ".join(missing)
