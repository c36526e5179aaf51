"""The event channel: server-sent events to every open page.

Events are announced from the export thread and delivered on the server's
event loop, one queue per connected page.  Closing the channel ends every
stream, so the server can stop without waiting for open pages.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

#: A comment line sent when nothing happened for this long, so proxies and
#: browsers keep the connection open (and a closed page is noticed).
KEEP_ALIVE = 15.0


class Channel:
    """Server-sent events, announced from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue[str | None]] = set()
        self._number = 0
        self._closed = False
        self._lock = threading.Lock()

    def announce(self, event: str, data: dict[str, Any]) -> None:
        """Send ``event`` with ``data`` (as JSON) to every connected page."""
        with self._lock:
            self._number += 1
            text = (f"id: {self._number}\nevent: {event}\n"
                    f"data: {json.dumps(data, ensure_ascii=False)}\n\n")
            loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._deliver, text)
            except RuntimeError:
                pass  # the loop is closed: the server has stopped

    def close(self) -> None:
        """End every stream (the server is stopping); safe to call from a signal handler."""
        self._closed = True
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._deliver, None)
            except RuntimeError:
                pass

    def _deliver(self, text: str | None) -> None:
        for queue in self._queues:
            queue.put_nowait(text)

    async def stream(self) -> AsyncIterator[str]:
        """The events of one page, from now until it leaves or the server stops."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield "retry: 1000\n: connected\n\n"
            while not self._closed:
                try:
                    text = await asyncio.wait_for(queue.get(), KEEP_ALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if text is None:
                    return
                yield text
        finally:
            self._queues.discard(queue)
