"""The live feed as Server-Sent Events: one listener per process, fanned out to every subscriber.

The publisher NOTIFYs the newest entry number on commit; the broadcaster (one LISTEN connection
per process) reads the new entries once and keeps the latest in memory. Each subscriber sends
what follows its last id from that buffer, or from the database when it is further behind (a
reconnect with an old `Last-Event-ID`), so a client always gets exactly the entries it missed, in
order. A poll every few seconds covers a lost notification or a dropped LISTEN connection.

The history as of a date (`history`) is not live: it sends what was public then and ends with an
`end` message whose id is the last entry sent, so an EventSource that reconnects with it is told
(HTTP 204) that there is nothing more, and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from services.publication.queries import FeedFilter, entries_after, last_number
from services.publication.tables import FeedTables, notify_channel
from shared.contracts.publication import FeedEntryPublished

log = logging.getLogger(__name__)
BUFFER = 2000  # entries kept in memory for subscribers that are only a little behind
PAGE = 500
POLL_SECONDS = 2.0


def end_of_history(last: int, as_of: str) -> str:
    """The message that ends a history stream; its id makes a reconnect resume past the end."""
    return f'id: {last}\nevent: end\ndata: {{"as_of": "{as_of}", "last": {last}}}\n\n'


async def history(
    engine: AsyncEngine,
    tables: FeedTables,
    where: FeedFilter,
    after: int,
    first: list[FeedEntryPublished],
) -> AsyncGenerator[str, None]:
    """SSE text for the matching entries after `after` (`first` is their first page), then end."""
    as_of = where.as_of.isoformat() if where.as_of is not None else "today"
    sent, page = after, first
    yield "retry: 1000\n\n"
    while page:
        yield "".join(sse(e) for e in page)
        sent = page[-1].number
        if len(page) < PAGE:
            break
        async with engine.connect() as conn:
            page = await entries_after(conn, tables, sent, PAGE, where)
    yield end_of_history(sent, as_of)


def sse(entry: FeedEntryPublished) -> str:
    """One entry as an SSE message; its id is the feed number, so a reconnect resumes after it."""
    return f"id: {entry.number}\nevent: entry\ndata: {entry.model_dump_json()}\n\n"


@dataclass(frozen=True)
class Rendered:
    """An entry and its SSE text, rendered once however many subscribers send it."""

    entry: FeedEntryPublished
    text: str


def rendered(entries: list[FeedEntryPublished]) -> list[Rendered]:
    """Entries with their SSE text."""
    return [Rendered(e, sse(e)) for e in entries]


class Broadcaster:
    """Follows the feed for this process and wakes subscribers when it grows."""

    def __init__(self, engine: AsyncEngine, tables: FeedTables) -> None:
        self.engine, self.tables = engine, tables
        # The newest entries, numbered gaplessly from `first`: a subscriber slices what it
        # missed in O(missed), never scanning the buffer (the fan-out hot path).
        self.recent: list[Rendered] = []
        self.first = 1
        self.latest = 0
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin following (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        while True:
            try:
                async with self.engine.connect() as conn:
                    raw = await conn.get_raw_connection()
                    channel = notify_channel(self.tables.schema)
                    await raw.driver_connection.add_listener(  # type: ignore[union-attr]
                        channel, lambda *_: self._wake.set()
                    )
                    await conn.commit()
                    self.latest = await last_number(conn, self.tables)
                    await conn.commit()
                    self._announce()
                    while True:
                        await self._catch_up()
                        self._wake.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away: listen again shortly
                log.exception("feed broadcaster lost its connection; reconnecting")
                await asyncio.sleep(1.0)

    async def _catch_up(self) -> None:
        async with self.engine.connect() as reader:
            while page := await entries_after(reader, self.tables, self.latest, PAGE):
                self._keep(page)
                self._announce()

    def _keep(self, page: list[FeedEntryPublished]) -> None:
        if not self.recent or page[0].number != self.latest + 1:
            self.recent, self.first = [], page[0].number  # a fresh start: keep numbers contiguous
        self.recent = self.recent + rendered(page)  # a new list: subscribers' slices stay valid
        if len(self.recent) > 2 * BUFFER:
            drop = len(self.recent) - BUFFER
            self.recent, self.first = self.recent[drop:], self.first + drop
        self.latest = page[-1].number

    def _announce(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def subscribe(
        self,
        after: int,
        heartbeat: float,
        wanted: Callable[[FeedEntryPublished], bool],
    ) -> AsyncGenerator[str, None]:
        """SSE text for every entry after `after`, then each new one; comments as heartbeats."""
        self.start()
        sent = after
        yield "retry: 1000\n\n"  # browsers reconnect after a second, sending Last-Event-ID
        while True:
            changed, recent, first = self._changed, self.recent, self.first
            batch: list[Rendered] = []
            if recent and sent + 1 >= first:  # everything missed is in memory
                batch = recent[sent + 1 - first :]
            elif sent < self.latest:  # far behind: read the gap from the database, page by page
                async with self.engine.connect() as conn:
                    batch = rendered(await entries_after(conn, self.tables, sent, PAGE))
            if batch:
                # One chunk per wake-up rather than one per entry: fewer sends per subscriber.
                chunk = "".join(r.text for r in batch if wanted(r.entry))
                if chunk:
                    yield chunk
                sent = batch[-1].entry.number
                continue
            try:
                await asyncio.wait_for(changed.wait(), heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
