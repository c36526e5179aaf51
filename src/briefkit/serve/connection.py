"""One HTTP connection of the preview, and how long it may keep the server waiting.

uvicorn closes a connection that stays silent between two requests
(``timeout_keep_alive``), but waits for ever for a request that never ends: a
client that connects and sends nothing, or half a request head, would hold
its connection as long as it likes.  Each connection here keeps two deadlines
of its own, looked at every :data:`TICK` seconds:

- a request's head is complete :data:`HEAD_SECONDS` after the connection was
  made, or after the previous response went out;
- while a request is answered, something moves at least every
  :data:`IDLE_SECONDS`: the client sends, the answer sends, or the client
  takes what was sent.  The event channel sends a comment every
  :data:`~briefkit.serve.events.KEEP_ALIVE` seconds, so a page that listens
  keeps its connection as long as it is open.

A connection past a deadline is dropped at once, with whatever it was sent and
did not read.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, ASGISendEvent, Scope
from uvicorn.protocols.http.h11_impl import H11Protocol

from briefkit.serve.events import KEEP_ALIVE

#: From the connection, or the end of the previous response, to a complete request head.
HEAD_SECONDS = 5.0
#: The longest a request being answered may go without anything moving.
IDLE_SECONDS = 2 * KEEP_ALIVE
#: How often a connection looks at its deadlines.
TICK = 0.25


class Connection(H11Protocol):
    """uvicorn's HTTP/1.1 connection (h11), with a head deadline and an idle deadline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answer = self.app
        self.app = self._answering
        self._waiting: float | None = None  # since when a request head is awaited
        self._moved = 0.0  # when something last moved
        self._buffered = 0  # bytes sent and not yet taken by the client, at the last look
        self._tick: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting = self._moved = self.loop.time()
        self._tick = self.loop.call_later(TICK, self._look)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._tick is not None:
            self._tick.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._moved = self.loop.time()
        super().data_received(data)

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request head came in whole: it is being answered
            self._waiting = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.cycle.response_complete:  # no request sent ahead is being answered already
            self._waiting = self._moved = self.loop.time()

    async def _answering(self, scope: Scope, receive: ASGIReceiveCallable,
                         send: ASGISendCallable) -> None:
        async def sending(message: ASGISendEvent) -> None:
            await send(message)  # waits while the client does not take what was sent
            self._moved = self.loop.time()

        await self._answer(scope, receive, sending)

    def _look(self) -> None:
        now = self.loop.time()
        buffered = self.transport.get_write_buffer_size()
        if buffered < self._buffered:
            self._moved = now  # the client takes what it was sent
        self._buffered = buffered
        if buffered and self._waiting is not None:
            self._waiting = now  # the last response is still going out: the wait starts after
        late = self._waiting is not None and now - self._waiting > HEAD_SECONDS
        if late or now - self._moved > IDLE_SECONDS:
            self.transport.abort()
            return
        self._tick = self.loop.call_later(TICK, self._look)
