"""What pydantic objects to, in a newsroom's words: the one translation every surface
shares (a briefing, briefkit.toml, a theme.toml, an imported article).

:func:`objections` turns a ``ValidationError`` into :class:`Objection` s: the path in the
data (less the tags pydantic adds to a tagged union's location), pydantic's kind and a
message. Each surface then places them in its own file (a JSON Pointer's line and column,
a TOML key's line) and names them its own way (``/title: field required``,
``feed.max_entrie: unknown setting (did you mean 'max_entries'?)``).
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

#: Where in the data: keys and indexes, from the top (``("sections", 0, "blocks")``).
Location = tuple[str | int, ...]


def describe_value(value: Any) -> str:
    """What a value is, as a newsroom would say it ('text', 'a list')."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _given(value: Any) -> str:
    """The value given, shown when it is short text ('12pt'), else what it is."""
    if isinstance(value, str) and len(value) <= 40 and value.isprintable():
        return repr(value)
    return describe_value(value)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Annotated, Optional and Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _candidates(model: type[BaseModel], data: Any, path: Location) -> tuple[list[Any], Any]:
    """The types that may describe the value at ``path`` of ``data`` read as ``model``
    (several for a union), and that value (None when ``data`` has none there)."""
    candidates: list[Any] = [model]
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        following: list[Any] = []
        for candidate in candidates:
            if _is_model(candidate):
                info = candidate.model_fields.get(part) if isinstance(part, str) else None
                if info is not None:
                    following.extend(_unwrap(info.annotation))
            elif typing.get_origin(candidate) is list and isinstance(part, int):
                following.extend(_unwrap(typing.get_args(candidate)[0]))
            elif typing.get_origin(candidate) is dict:  # a named table: [publish.<name>]
                following.extend(_unwrap(typing.get_args(candidate)[1]))
        candidates = following
    return candidates, node


def _tags(model: type[BaseModel]) -> tuple[str, ...]:
    """The values of a tagged union member's ``type`` ('paragraph'), if it has one."""
    info = model.model_fields.get("type")
    return tuple(str(t) for t in typing.get_args(info.annotation)) if info else ()


def _model_at(model: type[BaseModel], data: Any, path: Location) -> type[BaseModel] | None:
    """The model class that describes the table at ``path`` of ``data`` (a tagged
    union's member chosen by the data's ``type``), or None."""
    candidates, node = _candidates(model, data, path)
    models = [c for c in candidates if _is_model(c)]
    if len(models) > 1 and isinstance(node, dict):
        models = [m for m in models if node.get("type") in _tags(m)] or models
    return models[0] if len(models) == 1 else None


def _tags_at(model: type[BaseModel], data: Any, path: Location) -> tuple[str, ...]:
    """The ``type`` values the tagged union at ``path`` accepts, in the model's order."""
    candidates, _ = _candidates(model, data, path)
    return tuple(tag for c in candidates if _is_model(c) for tag in _tags(c))


def _known_keys(model: type[BaseModel] | None) -> list[str]:
    """The keys a table of ``model`` may hold, as written (aliases), less internal fields."""
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items() if not info.exclude]


def _data_path(data: Any, loc: Location) -> Location:
    """pydantic's location, less the tags it adds for a tagged union ('image', 'list')."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node \
                and node.get("type") == part:
            continue
        path.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(path)


@dataclass(frozen=True)
class Objection:
    #: where in the data, as keys and indexes; a table's name given as a key is "[key]"
    path: Location
    #: pydantic's kind of error ("missing", "extra_forbidden", ...)
    kind: str
    message: str


def _message(kind: str, error: Any, value: Any) -> str:
    expected = {"string_type": "text", "list_type": "a list", "bool_type": "true or false",
                "model_type": "an object", "dict_type": "an object",
                "model_attributes_type": "an object", "float_type": "a number",
                "int_type": "a whole number", "float_parsing": "a number",
                "int_parsing": "a whole number"}
    if kind == "missing":
        return "field required"
    if kind in expected:
        return f"expected {expected[kind]}, got {_given(value)}"
    if kind == "too_short":
        return "needs at least one item"
    if kind == "literal_error":
        return f"expected {error['msg'].removeprefix('Input should be ')}, got {_given(value)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "briefkit" or not message:
        return message
    return message[0].lower() + message[1:]


def _hint(given: str, known: tuple[str, ...], listed: str) -> str:
    """'did you mean 'x'?' when one of ``known`` is close to ``given``, else ``listed``
    followed by every one of them."""
    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else listed + ", ".join(known)


def _tag_objection(error: Any, path: Location, model: type[BaseModel],
                   data: Any) -> Objection:
    """A tagged union's member named by no ``type``, or by one the model does not know."""
    tags = _tags_at(model, data, path)
    named = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
    thing = named.removesuffix("s") or "item"  # "blocks" -> "block"
    if error["type"] == "union_tag_not_found":
        return Objection(path, error["type"],
                         f"{thing} has no 'type' (one of: {', '.join(tags)})")
    tag = str(error["ctx"]["tag"])
    return Objection((*path, "type"), error["type"],
                     f"unknown {thing} type '{tag}' ({_hint(tag, tags, 'one of: ')})")


def objections(error: ValidationError, model: type[BaseModel], data: Any = None,
               unknown: str = "unknown field '{name}'") -> list[Objection]:
    """Each of ``error``'s objections to ``data`` read as a ``model``. ``unknown`` words an
    unknown key (``{name}`` is the key); its hint follows in brackets."""
    found = []
    for e in error.errors():
        path = _data_path(data, tuple(e["loc"]))
        kind = e["type"]
        if kind == "extra_forbidden":
            name = str(path[-1])
            known = tuple(_known_keys(_model_at(model, data, path[:-1])))
            found.append(Objection(path, kind, f"{unknown.format(name=name)} "
                                               f"({_hint(name, known, 'known: ')})"))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            found.append(_tag_objection(e, path, model, data))
        else:
            found.append(Objection(path, kind, _message(kind, e, e.get("input"))))
    return found
