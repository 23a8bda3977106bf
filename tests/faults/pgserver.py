"""A private PostgreSQL server for one test: initdb into a tmp dir, pg_ctl start/stop.

Fault tests stop and restart it at will; the machine's shared server is never touched.
initdb refuses to run as root, so as root the binaries run as the `postgres` OS user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.support.processes import free_port

BIN = Path(os.environ.get("SYNCJOBS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PgUnavailable(Exception):
    """The binaries are missing or cannot be run (the fixture skips with this reason)."""


class PrivatePostgres:
    """One PostgreSQL server on 127.0.0.1:<free port>, data in a tmp dir, trust auth."""

    def __init__(self) -> None:
        if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
            raise PgUnavailable(f"no PostgreSQL binaries in {BIN}")
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="sj-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "server.log"
        if self.as_root:
            try:
                shutil.chown(self.root, "postgres", "postgres")
            except (LookupError, OSError) as exc:
                self.remove()
                raise PgUnavailable(f"cannot hand the tmp dir to user postgres: {exc}") from None
        os.chmod(self.root, 0o700)
        out = self._run([str(BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                         "-U", "postgres", "--no-sync", "-E", "UTF8"])
        if out.returncode != 0:
            self.remove()
            raise PgUnavailable(f"initdb failed: {out.stderr.strip()[-300:]}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.root}'\nfsync = off\n"
                       "max_connections = 100\nshared_buffers = 32MB\n")

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        auth = f"postgres:{password}" if password else "postgres"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def _run(self, args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                              cwd=self.root, check=False)

    def start(self) -> float:
        """Start and wait until it accepts connections; seconds it took."""
        began = time.monotonic()
        out = self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                         "-w", "-t", "60", "start"])
        if out.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {out.stderr}{self.tail()}")
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url(),
                                     connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return time.monotonic() - began

    def stop(self, mode: str = "immediate") -> None:
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30",
                   "stop"])

    def running(self) -> bool:
        out = self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "status"])
        return out.returncode == 0

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(sql)
            return list(cur.fetchall()) if cur.description else []

    def tail(self) -> str:
        try:
            return self.log.read_text()[-2000:]
        except OSError:
            return ""

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def close(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            self.remove()
