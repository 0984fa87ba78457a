"""A throwaway PostgreSQL cluster on 127.0.0.1 for the test session.

initdb refuses to run as root, so as root we run the server as the `postgres`
user that Debian's package creates, in a temp dir it owns, on a free port.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.gateway_harness import free_port


def find_pg_bin() -> Path | None:
    for pattern in ("/usr/lib/postgresql/*/bin",):
        for candidate in sorted(glob.glob(pattern), reverse=True):
            if (Path(candidate) / "initdb").exists():
                return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PgCluster:
    def __init__(self, fsync: bool = False) -> None:
        # Tests run with fsync off (speed, nothing to keep); benchmarks with it on, as in production.
        self.fsync = fsync
        self.bin = find_pg_bin()
        self.dir: Path | None = None
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        assert self.bin is not None
        self.dir = Path(tempfile.mkdtemp(prefix="unionbot-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync={'on' if self.fsync else 'off'}",
                  "-l", str(self.dir / "log"), "-w", "start")

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


@contextmanager
def fresh_database(cluster: PgCluster) -> Iterator[str]:
    """An empty database on the cluster for one test; dropped afterwards."""
    from sqlalchemy import text

    from storage.db import make_engine

    name = "t_" + uuid.uuid4().hex[:12]
    admin = make_engine(cluster.url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield cluster.url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
