"""Pydantic's validation errors as located problems: the file, line and column of the
offending value, its JSON Pointer, and a message a newsroom can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

from briefkit.errors import Problem
from briefkit.locate import Positions, pointer
from briefkit.model import BLOCK_TYPES, Briefing


def describe_value(value: Any) -> str:
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


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Annotated, Optional and Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(data: Any, parts: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that describes the object at ``parts`` in ``data``."""
    candidates: list[Any] = [Briefing]
    node = data
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                info = candidate.model_fields.get(str(part)) if isinstance(part, str) else None
                if info is not None:
                    following.extend(_unwrap(info.annotation))
            elif typing.get_origin(candidate) is list and isinstance(part, int):
                following.extend(_unwrap(typing.get_args(candidate)[0]))
        candidates = following
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(models) > 1 and isinstance(node, dict):
        tagged = [m for m in models if "type" in m.model_fields
                  and node.get("type") in typing.get_args(m.model_fields["type"].annotation)]
        models = tagged or models
    return models[0] if len(models) == 1 else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """pydantic's location, less the discriminator tags it adds ('image', 'list' ...)."""
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


def located_problem(file: str, data: Any, where: Positions, error: Any) -> Problem:
    path = _data_path(data, tuple(error["loc"]))
    ptr = pointer(path)
    kind = error["type"]
    value = error.get("input")
    position = where.of_value(ptr)
    if kind == "missing":
        message = "field required"
    elif kind == "extra_forbidden":
        name = str(path[-1])
        model = _model_at(data, path[:-1])
        known = _field_names(model) if model else []
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            message = f"unknown field '{name}' (did you mean '{close[0]}'?)"
        else:
            message = f"unknown field '{name}' (known fields: {', '.join(known)})"
        position = where.of_key(ptr)
    elif kind == "union_tag_invalid":
        tag = error["ctx"]["tag"]
        close = difflib.get_close_matches(tag, BLOCK_TYPES, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(BLOCK_TYPES)}"
        message = f"unknown block type '{tag}' ({hint})"
        ptr += "/type"
        position = where.of_value(ptr)
    elif kind == "union_tag_not_found":
        message = f"block has no 'type' (one of: {', '.join(BLOCK_TYPES)})"
    elif kind == "string_type":
        message = f"expected text, got {describe_value(value)}"
    elif kind == "list_type":
        message = f"expected a list, got {describe_value(value)}"
    elif kind == "bool_type":
        message = f"expected true or false, got {describe_value(value)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected an object, got {describe_value(value)}"
    elif kind == "too_short":
        message = "needs at least one item"
    elif kind == "briefkit":
        message = error["msg"]
    else:
        message = error["msg"][0].lower() + error["msg"][1:]
    return Problem(file, message, position[0], position[1], ptr)
