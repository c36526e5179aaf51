"""``briefkit serve``: a live preview of every format while briefings are edited.

The parts, by what a reader looks for: :mod:`~briefkit.serve.server` starts and
stops everything; :mod:`~briefkit.serve.watch` watches the project;
:mod:`~briefkit.serve.rebuild` exports (the one place that calls the engine);
:mod:`~briefkit.serve.app` serves dist/ and the preview pages, which
:mod:`~briefkit.serve.preview` draws; :mod:`~briefkit.serve.events` is the
reload channel.  starlette, uvicorn and watchfiles come with ``briefkit[serve]``.
"""

from __future__ import annotations

from briefkit.serve.server import serve

__all__ = ["serve"]
