"""The settings a command runs with: briefkit.toml, under what the command line gives."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefkit.config import Settings


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gives, over those of briefkit.toml."""
    overrides: dict[str, Any] = {}
    if getattr(args, "theme", None):
        overrides["theme"] = args.theme
    if getattr(args, "pdf_variant", None):
        overrides["pdf"] = {"variant": args.pdf_variant}
    if getattr(args, "since", None):
        overrides["email"] = {"digest_since": args.since}
    return overrides


def project_settings(args: argparse.Namespace) -> Settings:
    """The settings of the project in the current folder, with the command line's."""
    # imported here: `briefkit --help` and a mistyped command answer without pydantic
    from briefkit.config import load_settings

    return load_settings(Path.cwd(), overrides(args))
