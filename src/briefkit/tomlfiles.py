"""The TOML files a project writes (briefkit.toml, pyproject.toml, theme.toml): read with
their nesting bounded, and where each key is written, for one located line per problem.

tomllib reads nested arrays and inline tables by recursion, and so does whatever walks the
values afterwards (theme inheritance, validation): 900 levels exhaust Python's stack.  No
setting or theme value is nested more than a few levels, so a file nested deeper than
:data:`MAX_DEPTH` is refused with its line and column: the brackets are counted before
tomllib reads the text, dotted keys and table headers (which tomllib reads without
recursion) once it has.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from typing import Any

from briefkit.errors import BriefkitError, Problem

#: Deepest nesting of tables, arrays and dotted keys a settings or theme file may have
#: (``[[fonts.files]]`` ``path`` is 3 deep, ``[tool.briefkit.dateline.fr]`` ``date`` 4)
MAX_DEPTH = 16

Key = tuple[str | int, ...]

# what can hold a bracket that is no bracket: strings of the four kinds, and comments;
# multi-line strings may end in up to two quotes of their own
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|""?(?!"))*"""(?:""?)?'
    r"|'''(?:[^']|''?(?!'))*'''(?:''?)?"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}]",
    re.DOTALL,
)
_DECODE_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read(text: str, shown: str, error: type[BriefkitError], table: Key = ()) -> dict[str, Any]:
    """The values of the TOML ``text`` (the file ``shown``), or of its ``table``
    (``("tool", "briefkit")``); ``error`` with one located line when the text is not
    TOML, is nested deeper than :data:`MAX_DEPTH`, or ``table`` is not a table."""
    where = _too_deep_brackets(text)
    if where is not None:
        raise _located(error, shown, text, f"nested more than {MAX_DEPTH} deep "
                       "(arrays and inline tables)", where)
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as fault:
        message = str(fault)
        place = _DECODE_PLACE.search(message)
        line, column = (int(place[1]), int(place[2])) if place else (None, None)
        problem = Problem(shown, f"not TOML: {_DECODE_PLACE.sub('', message)}", line, column)
        raise error(str(problem), [problem]) from None
    except RecursionError:  # a bracket the count above missed: never a traceback
        problem = Problem(shown, f"nested more than {MAX_DEPTH} deep")
        raise error(str(problem), [problem]) from None
    for part in table:
        values = values.get(str(part), {})
        if not isinstance(values, dict):
            problem = Problem(shown, f"{'.'.join(map(str, table))}: must be a table",
                              *locate(table, key_lines(text)))
            raise error(str(problem), [problem])
    deep = _too_deep(values)
    if deep is not None:
        line, column = locate((*table, *deep), key_lines(text))
        shown_key = ".".join(map(str, (*table, *deep[:MAX_DEPTH]))) + ".…"
        problem = Problem(shown, f"{shown_key}: nested more than {MAX_DEPTH} deep "
                          "(tables, arrays and dotted keys)", line, column)
        raise error(str(problem), [problem])
    return values


def _located(error: type[BriefkitError], shown: str, text: str, message: str,
             offset: int) -> BriefkitError:
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    line = bisect.bisect_right(starts, offset)
    problem = Problem(shown, message, line, offset - starts[line - 1] + 1)
    return error(str(problem), [problem])


def _too_deep_brackets(text: str) -> int | None:
    """The offset of the first bracket opened deeper than :data:`MAX_DEPTH`, if any."""
    depth = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif bracket in ("]", "}"):
            depth = max(depth - 1, 0)
    return None


def _too_deep(values: dict[str, Any]) -> Key | None:
    """The key of a value nested deeper than :data:`MAX_DEPTH` (a loop, not recursion:
    any depth is walked), followed down to its first plain value so that it can be
    located."""
    stack: list[tuple[Key, Any]] = [((), values)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            children: list[tuple[str | int, Any]] = list(value.items())
        elif isinstance(value, list):
            children = list(enumerate(value))
        else:
            continue
        if len(key) > MAX_DEPTH:
            while children:
                part, value = children[0]
                key = (*key, part)
                children = (list(value.items()) if isinstance(value, dict)
                            else list(enumerate(value)) if isinstance(value, list) else [])
            return key
        stack.extend(((*key, part), child) for part, child in children)
    return None


# --- where a key is written --------------------------------------------------------------

_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?")
_ASSIGN = re.compile(r"\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                     r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")
_PART = re.compile(r"\"[^\"]*\"|'[^']*'|[^.\"']+")


def _parts(dotted: str) -> list[str]:
    """The parts of a dotted key, unquoted: ``dateline."en-GB"`` -> dateline, en-GB."""
    parts = (part.strip() for part in _PART.findall(dotted))
    return [part[1:-1] if part[:1] in "\"'" else part for part in parts if part]


def key_lines(text: str) -> dict[Key, tuple[int, int]]:
    """(line, column) of every table header and key of a TOML text, by key path; an
    array of tables counts its entries (``("fonts", "files", 2, "path")``)."""
    found: dict[Key, tuple[int, int]] = {}
    counts: dict[Key, int] = {}
    table: Key = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_string = not in_string  # a multi-line string: no keys inside
            continue
        if in_string:
            continue
        header = _HEADER.fullmatch(line)
        if header:
            name: Key = tuple(_parts(header.group(2)))
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                name = (*name, counts[name])
            table = name
            found.setdefault(table, (number, line.index("[") + 1))
            continue
        assign = _ASSIGN.match(line)
        if assign:
            column = len(line) - len(line.lstrip()) + 1
            found.setdefault((*table, *_parts(assign.group(1))), (number, column))
    return found


def locate(key: Key, lines: dict[Key, tuple[int, int]]) -> tuple[int | None, int | None]:
    """Where ``key`` is written, or its nearest written parent."""
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return None, None
