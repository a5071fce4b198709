"""The funding ledger projection: the double-entry journal, contributions and attributions.

Rebuildable from position 0 (shared.projection): tables carry no schema, the runner maps them
onto `proj_funding_ledger` (or the rebuild schema), and every row derives from one event only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.funding.journal import LEDGER_EVENTS, ZERO, Line, postings
from shared.contracts.base import DomainEvent
from shared.contracts.funding import AwardMade, ContributionPledged, ContributionReceived
from shared.eventstore.envelope import Envelope

NAME = "funding_ledger"
SCHEMA = f"proj_{NAME}"
metadata = MetaData()

journal = Table(
    "journal",
    metadata,
    Column("position", BigInteger, nullable=False),
    Column("entry_no", Integer, nullable=False),  # several entries per event (formula areas)
    Column("side", String(6), nullable=False),
    Column("partnership_id", String(100), nullable=False),
    Column("fund_id", String(200), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("account", String(300), nullable=False),
    Column("debit", Numeric(14, 2), nullable=False),
    Column("credit", Numeric(14, 2), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("award_id", String(200)),
    Column("memo", String(500), nullable=False),
    # Set on a pooled budget's subsidiary ledger lines: whose money the movement is.
    Column("contributor", String(100)),  # statements read a pool's lines by fund_id
    PrimaryKeyConstraint("position", "entry_no", "side"),
)
contributions = Table(
    "contributions",
    metadata,
    Column("fund_id", String(200), nullable=False),
    Column("organisation_id", String(100), nullable=False),
    Column("partnership_id", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("pledged", Numeric(14, 2), nullable=False),
    Column("received", Numeric(14, 2), nullable=False),
    PrimaryKeyConstraint("fund_id", "organisation_id"),
)
attributions = Table(
    "attributions",
    metadata,
    Column("fund_id", String(200), nullable=False),
    Column("award_id", String(200), nullable=False),
    Column("organisation_id", String(100), nullable=False),
    Column("title", String(500), nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("award_date", Date, nullable=False),
    PrimaryKeyConstraint("award_id", "organisation_id"),
)


JOURNAL_COLUMNS = [c.name for c in journal.columns]
# All of a batch's lines in one statement: one array per column, unnested into rows. One round
# trip and one executor pass instead of a row-by-row executemany (bench/ledger_rebuild.py).
INSERT_LINES = insert(journal).from_select(
    JOURNAL_COLUMNS,
    select(
        *(
            func.unnest(cast(bindparam(c.name), ARRAY(c.type))).label(c.name)
            for c in journal.columns
        )
    ),
)


def journal_rows(envelope: Envelope, event: DomainEvent) -> list[tuple[object, ...]]:
    """The journal lines of one event (`envelope`'s payload, loaded), as rows in column order."""
    rows: list[tuple[object, ...]] = []
    day, where = envelope.occurred_at.date(), envelope.partnership_id
    for number, entry in enumerate(postings(event)):
        memo = entry.memo[:500]
        for side, account, debit, credit in (
            ("debit", entry.debit, entry.amount, ZERO),
            ("credit", entry.credit, ZERO, entry.amount),
        ):
            rows.append(
                (
                    envelope.position,
                    number,
                    side,
                    where,
                    entry.fund_id,
                    entry.kind,
                    account,
                    debit,
                    credit,
                    day,
                    entry.award_id,
                    memo,
                    entry.contributor,
                )
            )
    return rows


class FundingLedger:
    """The projection the funding service keeps from its own topic."""

    name = NAME
    metadata = metadata

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Post each event's entries; keep partners' contributions and what they funded."""
        rows: list[tuple[object, ...]] = []
        for envelope in events:
            if envelope.event_type not in LEDGER_EVENTS:
                continue  # moves no money: not even parsed (schedules are most of a history)
            event = envelope.event()
            rows += journal_rows(envelope, event)
            if isinstance(event, ContributionPledged | ContributionReceived):
                pledged = event.amount if isinstance(event, ContributionPledged) else 0
                received = event.amount if isinstance(event, ContributionReceived) else 0
                statement = upsert(contributions).values(
                    fund_id=event.fund_id,
                    organisation_id=event.contributor_organisation_id,
                    partnership_id=envelope.partnership_id,
                    name=event.contributor_name,
                    pledged=pledged,
                    received=received,
                )
                await conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=[contributions.c.fund_id, contributions.c.organisation_id],
                        set_={
                            "pledged": contributions.c.pledged + statement.excluded.pledged,
                            "received": contributions.c.received + statement.excluded.received,
                        },
                    )
                )
            elif isinstance(event, AwardMade) and event.funded_by:
                await conn.execute(
                    insert(attributions),
                    [
                        {
                            "fund_id": event.fund_id,
                            "award_id": event.award_id,
                            "organisation_id": share.organisation_id,
                            "title": event.title,
                            "recipient_name": event.recipient_name,
                            "amount": share.amount,
                            "award_date": event.award_date,
                        }
                        for share in event.funded_by
                    ],
                )
        if rows:
            columns = zip(*rows, strict=True)
            await conn.execute(INSERT_LINES, dict(zip(JOURNAL_COLUMNS, columns, strict=True)))


def _line(row: object) -> Line:
    r = row._mapping  # type: ignore[attr-defined]
    return Line(
        f"{r['position']}.{r['entry_no']}",
        r["fund_id"],
        r["kind"],
        r["account"],
        r["debit"],
        r["credit"],
        r["contributor"],
        r["award_id"],
    )


async def ledger_lines(
    conn: AsyncConnection,
    fund_id: str | None = None,
    as_of: date | None = None,
    partnership_id: str | None = None,
    contributor: str | None = None,
) -> list[Line]:
    """The journal's lines (of one fund, up to a day, of one partner), for positions and checks."""
    query = select(journal).order_by(journal.c.position, journal.c.entry_no, journal.c.side)
    if fund_id is not None:
        query = query.where(journal.c.fund_id == fund_id)
    if partnership_id is not None:
        query = query.where(journal.c.partnership_id == partnership_id)
    if as_of is not None:
        query = query.where(journal.c.occurred_on <= as_of)
    if contributor is not None:
        query = query.where(journal.c.contributor == contributor)
    return [_line(row) for row in await conn.execute(query)]
