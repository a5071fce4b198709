"""Database engines: one place that turns a PostgreSQL URL into an async SQLAlchemy engine."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs (as operators write them) and use the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine with a pool sized for one service process."""
    return create_async_engine(async_url(url), pool_size=pool_size, max_overflow=pool_size)
