"""Theme templates run in a sandbox: a theme shapes pages, it never runs code.

A project theme's templates are other people's files.  They are rendered by
Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment` (no ``__globals__``, no
``__class__``, no calling what is not meant to be called), with more shut:

* templates load only from regular files inside the theme folders: a symlink
  leading out, a FIFO or a device is refused with one line;
* nothing that reaches files is open to a template: paths (``settings.root``),
  modules, and the methods pydantic gives every model (``parse_file`` reads one);
* ``*`` and ``**`` that would build a string or list of a million items or a huge
  number stop there, as do widths over a million (``center``, ``ljust``, ``%9999999s``);
* any error a template makes (a syntax error, an unknown variable, a refused
  attribute) is one :class:`~briefkit.errors.ThemeError` line naming the template
  file and line, never a traceback.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import types
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, NoReturn

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from briefkit.errors import BriefingError, BriefkitError, ThemeError, UnsafeReferenceError
from briefkit.files import display_path, read_regular

_JINJA = os.path.dirname(jinja2.__file__)
#: Largest template file read
MAX_TEMPLATE_BYTES = 1024 * 1024
#: Longest string or list a template may build with ``*``, largest power with ``**``
MAX_PRODUCT = 1_000_000


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from ``<folder>/templates/`` of each theme folder, in lookup order:
    regular files only, never through a link leading out of their theme folder."""

    def __init__(self, theme: str, folders: tuple[Path, ...]) -> None:
        self.theme = theme
        self.folders = folders

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.folders:
            candidate = folder.joinpath("templates", *pieces)
            if not os.path.lexists(candidate):
                continue
            if not candidate.resolve().is_relative_to(folder.resolve()):
                raise UnsafeReferenceError(
                    f"theme '{self.theme}': template {template!r} points outside the theme folder")
            shown = display_path(candidate)
            try:
                data = read_regular(candidate, MAX_TEMPLATE_BYTES, shown)
            except BriefingError as error:
                raise ThemeError(f"theme '{self.theme}': {error.message}") from None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ThemeError(f"{shown}: not UTF-8") from None
            stamp = candidate.stat().st_mtime_ns
            return text, str(candidate), functools.partial(_unchanged, candidate, stamp)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, stamp: int) -> bool:
    try:
        return path.stat().st_mtime_ns == stamp
    except OSError:
        return False


def _bounded_mul(left: Any, right: Any) -> Any:
    for count, item in ((right, left), (left, right)):
        if isinstance(count, int) and isinstance(item, (str, list, tuple)) \
                and len(item) * count > MAX_PRODUCT:
            raise SecurityError(f"a {type(item).__name__} of over {MAX_PRODUCT:,} items")
    return operator.mul(left, right)


# a width or precision in a %-format or str.format spec ('%999999999s', '{:>999999999}')
_WIDE_FORMAT = re.compile(r"%[-#0 +]*(\(\w*\))?[-#0 +]*(\d{7,}|\*)|\.\d{7,}|\{[^{}]*:[^{}]*\d{7,}")


def _bounded_arguments(*values: Any, formats: bool = False) -> None:
    """Refuse what would make a filter or method build a huge result: a number over
    a million ('x' | center(10**9), 'x'.ljust(...)); with ``formats``, for the values a
    format reads as one (its format string, a nested '{:{}}' spec), a huge width.  Any
    other text ('12%*', '3.14159265' in a briefing) is only text."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_PRODUCT:
            raise SecurityError(f"a number over {MAX_PRODUCT:,} ({value})")
        if formats and isinstance(value, str) and _WIDE_FORMAT.search(value):
            raise SecurityError("a format with a width or precision over six digits")


def _is_str_format(obj: Any) -> bool:
    """Whether ``obj`` is a string's format method (as the sandbox wraps it)."""
    method = getattr(obj, "__wrapped__", obj)
    return (getattr(method, "__name__", None) in ("format", "format_map")
            and isinstance(getattr(method, "__self__", None), str))


def _bounded_filter(function: Callable[..., Any], formats: bool = False) -> Callable[..., Any]:
    """``function``, its numbers bounded; with ``formats`` (the 'format' filter), its
    value is a format string, bounded too."""
    skip = 1 if hasattr(function, "jinja_pass_arg") else 0  # the context, not a value

    def bounded(*args: Any, **kwargs: Any) -> Any:
        value, *rest = args[skip:] or [None]
        _bounded_arguments(value, formats=formats)  # "%9999999s" | format
        _bounded_arguments(*rest, *kwargs.values())
        return function(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # pass_context and its kind stay as they were
        if hasattr(function, attribute):
            setattr(bounded, attribute, getattr(function, attribute))
    return bounded


def _bounded_pow(left: Any, right: Any) -> Any:
    if isinstance(right, (int, float)) and abs(right) > 100:
        raise SecurityError(f"a power of {right}: at most 100")
    return operator.pow(left, right)


class ThemeSandbox(SandboxedEnvironment):
    """Jinja's sandbox, closed to files, with errors as one line about the template."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, theme: str, folders: tuple[Path, ...], **options: Any) -> None:
        super().__init__(loader=ConfinedLoader(theme, folders), **options)
        self.theme = theme
        self.folders = tuple(f.resolve() for f in folders)
        # Jinja's own filters are trusted by its sandbox: bounded here ('center', 'format',
        # 'indent', 'wordwrap' ... take a width); briefkit's are added after, as they are
        self.filters = {name: _bounded_filter(f, formats=name == "format")
                        for name, f in self.filters.items()}
        self._safe_attributes: dict[tuple[type, str, type], bool] = {}

    def call(self, context: jinja2.runtime.Context, obj: Any, /,
             *args: Any, **kwargs: Any) -> Any:
        # str.format's arguments may be nested specs: '{:{}}'.format(1.5, '.99999999f')
        _bounded_arguments(*args, *kwargs.values(), formats=_is_str_format(obj))
        return super().call(context, obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _bounded_arguments(value.__self__, formats=True)
        return wrapped

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # decided by the types of the object and the value, and the attribute's name (a
        # class by itself): once for each, where a page reads thousands of attributes
        if isinstance(obj, type):
            return self._safe_attribute(obj, attr, value)
        key = (type(obj), attr, type(value))
        found = self._safe_attributes.get(key)
        if found is None:
            found = self._safe_attributes[key] = self._safe_attribute(obj, attr, value)
        return found

    def _safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, (PurePath, types.ModuleType)) or isinstance(value, PurePath):
            return False
        # a model's fields and briefkit's own properties, none of pydantic's machinery
        if (isinstance(obj, BaseModel) or (isinstance(obj, type) and issubclass(obj, BaseModel))) \
                and hasattr(BaseModel, attr):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: jinja2.runtime.Context, operator: str,
                   left: Any, right: Any) -> Any:
        if operator == "*":
            return _bounded_mul(left, right)
        if operator == "**":
            return _bounded_pow(left, right)
        if operator == "%":
            _bounded_arguments(left, formats=True)
        return super().call_binop(context, operator, left, right)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        return self.undefined(
            f"{attribute!r} of a {type(obj).__name__} is not open to a theme",
            name=attribute, obj=obj, exc=SecurityError)

    def handle_exception(self, source: str | None = None) -> NoReturn:
        from jinja2.debug import rewrite_traceback_stack

        error = rewrite_traceback_stack(source=source)
        if isinstance(error, BriefkitError):
            raise error
        where = self._template_line(error)
        if where is None and not isinstance(error, jinja2.TemplateError):
            raise error  # not the template's doing: a bug, with its traceback
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ThemeError(f"{where or 'theme ' + repr(self.theme)}: {message}") from None

    def _template_line(self, error: BaseException) -> str | None:
        """'file:line' of the template code the error comes from, if it does."""
        if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
            return f"{display_path(Path(error.filename))}:{error.lineno}"
        found = None
        trace = error.__traceback__
        while trace is not None:
            name = trace.tb_frame.f_code.co_filename
            if any(Path(name).resolve().is_relative_to(f) for f in self.folders) \
                    and os.path.isfile(name):
                found = f"{display_path(Path(name))}:{trace.tb_lineno}"
            elif found is not None and not name.startswith(_JINJA) and name != __file__:
                found = None  # the error happened below the template, in briefkit's code
            trace = trace.tb_next
        return found


def sandbox(theme: str, folders: tuple[Path, ...], **options: Any) -> ThemeSandbox:
    """The sandboxed environment for the templates of a theme's folders."""
    return ThemeSandbox(theme, folders, **options)
