"""Reading the settings file: ``briefkit.toml``, else ``[tool.briefkit]`` in
pyproject.toml, every problem reported at once, one located line each
(``briefkit.toml:line:col: key: message``), with a "did you mean" where a key is close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefkit import datelines, tomlfiles
from briefkit.config.settings import Settings
from briefkit.errors import ConfigError, Problem
from briefkit.objections import objections


def _read(root: Path) -> tuple[str, str, tomlfiles.Key, dict[str, Any]]:
    """The settings file's name as shown, its text, the table holding the settings in
    it, and that table's values."""
    data: dict[str, Any] = {}
    text, shown = "", "briefkit.toml"
    table: tomlfiles.Key = ()
    own, pyproject = root / "briefkit.toml", root / "pyproject.toml"
    try:
        if own.is_file():
            text = own.read_text("utf-8")
            data = tomlfiles.read(text, shown, ConfigError)
        elif pyproject.is_file():
            shown, table = "pyproject.toml", ("tool", "briefkit")
            text = pyproject.read_text("utf-8")
            data = tomlfiles.read(text, shown, ConfigError, table)
    except UnicodeDecodeError as error:
        raise ConfigError(f"{shown}: not UTF-8 (byte {error.start + 1})") from None
    return shown, text, table, data


def setting_problem(shown: str, text: str, loc: tuple[str | int, ...], message: str,
                    lines: dict[tomlfiles.Key, tuple[int, int]] | None = None) -> Problem:
    """A problem with the setting at ``loc`` (``("publish", "afp", "to")``), located at
    its key, else at its nearest written table."""
    table: tomlfiles.Key = ("tool", "briefkit") if shown == "pyproject.toml" else ()
    loc = tuple(p for p in loc if p != "[key]")
    key = ".".join(str(p) for p in loc)
    where = tomlfiles.locate((*table, *loc), lines or tomlfiles.key_lines(text))
    return Problem(shown, f"{key}: {message}" if key else message, *where)


def locate_setting(root: Path, loc: tuple[str | int, ...], message: str) -> Problem:
    """A problem found after loading (a format no exporter makes), at its key's line."""
    shown, text, _, _ = _read(root)
    return setting_problem(shown, text, loc, message)


def load_settings(root: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Read the project's settings from ``root``; every problem is reported at once, one
    located line each (``briefkit.toml:line:col: key: message``).  A file with
    ``[publish.<name>]`` or ``[smtp]`` is read as a
    :class:`~briefkit.config.publishing.PublishSettings`, every table of it checked."""
    shown, text, _, data = _read(root)
    for key, value in (overrides or {}).items():
        # a table given on the command line (--since: [email]) keeps the file's other keys
        written = data.get(key)
        data = {**data, key: {**written, **value} if isinstance(written, dict)
                and isinstance(value, dict) else value}
    lines = tomlfiles.key_lines(text)
    # where briefkit publish sends is read by models of its own, built only when needed
    publishing = "publish" in data or "smtp" in data
    model = Settings
    if publishing:
        from briefkit.config.publishing import PublishSettings

        model = PublishSettings

    def problem(loc: tuple[str | int, ...], message: str) -> Problem:
        return setting_problem(shown, text, loc, message, lines)

    try:
        # the context: files named in the settings are found from the project folder
        settings = model.model_validate({**data, "root": root}, context={"root": root})
    except ValidationError as error:
        # the model of every setting, for its hints: 'smtp' is a close match of 'smpt'
        from briefkit.config.publishing import _NO_PASSWORD, SECRET_KEYS, PublishSettings

        problems = []
        for objection in objections(error, PublishSettings, data, unknown="unknown setting"):
            loc, message = objection.path, objection.message
            if objection.kind == "extra_forbidden" and str(loc[-1]).lower() in SECRET_KEYS:
                message = _NO_PASSWORD
            elif loc[-1:] == ("[key]",) and loc[:1] == ("publish",):
                message = ("a target's name is lower-case letters, digits, '-' and '_' "
                           "(at most 40), as it names its receipt in .briefkit/receipts/")
            problems.append(problem(loc, message))
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ConfigError(f"{len(problems)} problems in {shown}", problems) from None
    if settings.dateline:
        # every language's dateline written once, by the code that writes it in every format
        chosen = {tag: values.model_dump() for tag, values in settings.dateline.items()}
        faults = datelines.check(chosen, settings.language)
        if faults:
            problems = [problem(("dateline", tag, *([key] if key else [])), message)
                        for tag, key, message in faults]
            raise ConfigError(f"{len(problems)} problems in {shown}", problems)
    if publishing:
        from briefkit.config.publishing import publish_problems, publish_settings

        read = publish_settings(settings)
        problems = publish_problems(read.publish, read.smtp, problem)
        if problems:
            raise ConfigError(f"{len(problems)} problems in {shown}", problems)
    return settings
