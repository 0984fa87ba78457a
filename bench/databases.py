"""The databases a bench runs on: a throwaway SQLite file, and a throwaway PostgreSQL cluster when
Debian's PostgreSQL is installed (fsync on, as a union would run it)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator


def each_database(name: str) -> Iterator[tuple[str, str]]:
    """('sqlite', url), then ('postgresql', url) if it can run here; each is gone once the next is asked for."""
    from tests.pg_cluster import PgCluster

    with tempfile.TemporaryDirectory() as tmp:
        yield "sqlite", f"sqlite:///{tmp}/{name}.db"
    cluster = PgCluster(fsync=True)
    if cluster.bin is not None:
        cluster.start()
        try:
            yield "postgresql", cluster.url
        finally:
            cluster.stop()
