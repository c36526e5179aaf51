"""``briefkit serve``: a live preview of every format while briefings are edited.

A thin client of the engine: the project is opened as ``briefkit export`` opens it,
and every read, export and write is the engine's (:mod:`briefkit.engine.warm`).
The parts, by what a reader looks for: :mod:`~briefkit.serve.server` starts and
stops everything; :mod:`~briefkit.serve.watch` watches the project;
:mod:`~briefkit.serve.rebuild` decides what to export after each change (the one
place that calls the engine); :mod:`~briefkit.serve.app` serves dist/ and the
preview pages, which :mod:`~briefkit.serve.preview` draws from ``templates/`` and
``static/``; :mod:`~briefkit.serve.events` is the reload channel.  starlette,
uvicorn and watchfiles come with ``briefkit[serve]``.
"""

from __future__ import annotations

from briefkit.serve.server import serve

__all__ = ["serve"]
