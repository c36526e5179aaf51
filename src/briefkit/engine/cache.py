"""Where the exporters' cache is kept: ``.briefkit/cache/``, or the folder an operator
names in the environment variable ``BRIEFKIT_CACHE``.

What the exporters derive from the theme (web fonts, the Word documents' font
subsets) depends on the font files and the text, never on the project, and each
entry is sealed with its key (engine/work.py): several projects (a build machine's
newsrooms, a test run's throw-away folders) can share one folder and make each
font once.  The folder is named only by whoever runs briefkit, never by the project
(``briefkit.toml``): a project must not send the run's writes elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from briefkit.engine.home import CACHE

#: The environment variable naming a cache folder shared by every project it is set for.
SHARED = "BRIEFKIT_CACHE"


def cache_folder(state: Path) -> Path:
    """The exporters' cache folder of a run whose state folder is ``state``: the folder
    ``BRIEFKIT_CACHE`` names (a relative one from the current folder), else
    ``state/cache``."""
    named = os.environ.get(SHARED)
    if named:
        # the operator's own path: a link in it is theirs, followed here once, so the
        # cache's refusal of links guards against what is put there later
        return Path(os.path.realpath(named))
    return state / CACHE
