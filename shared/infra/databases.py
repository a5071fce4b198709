"""One database per service on a shared PostgreSQL server (the demo's and the tests' layout)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import make_url, text
from sqlalchemy.exc import ProgrammingError

from shared.db import make_engine

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def database_url(server_url: str, database: str) -> str:
    """The URL of another database on the server `server_url` points at."""
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"database name {name!r} must be lower-case letters, digits and _")
    return name


async def create_databases(server_url: str, names: Iterable[str]) -> dict[str, str]:
    """Create the databases that do not exist yet; the URL of each, by name."""
    wanted = [_checked(name) for name in names]
    engine = make_engine(server_url, pool_size=1).execution_options(
        isolation_level="AUTOCOMMIT"  # CREATE DATABASE cannot run inside a transaction
    )
    try:
        async with engine.connect() as conn:
            existing = set((await conn.execute(text("SELECT datname FROM pg_database"))).scalars())
            for name in wanted:
                if name not in existing:
                    try:
                        await conn.execute(text(f'CREATE DATABASE "{name}"'))
                    except ProgrammingError as error:  # created meanwhile by someone else
                        if "already exists" not in str(error):
                            raise
    finally:
        await engine.dispose()
    return {name: database_url(server_url, name) for name in wanted}


async def drop_databases(server_url: str, names: Iterable[str]) -> None:
    """Drop the databases (disconnecting their sessions); missing ones are fine."""
    engine = make_engine(server_url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for name in names:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)'))
    finally:
        await engine.dispose()
