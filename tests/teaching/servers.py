"""Real servers for the tests: a PostgreSQL cluster on loopback, and the app under uvicorn.

PostgreSQL comes from Debian's packages (/usr/lib/postgresql/<v>/bin). The tests run as
root and PostgreSQL refuses to, so the cluster is created and started as the `postgres` OS
user (`runuser -u postgres --`) in a temporary directory, on a free loopback port, with
trust authentication on loopback only. When no cluster can be started the reason is
returned, for the tests to skip with it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


@dataclass
class Postgres:
    url: str
    datadir: Path
    bindir: Path
    as_user: list[str]

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir),
                        "-m", "immediate", "stop"], capture_output=True, timeout=30)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_postgres() -> Postgres | str:
    """A fresh PostgreSQL cluster, or the reason none could be started."""
    bindir = _pg_bin()
    if bindir is None:
        return "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/pg_ctl not found)"
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as another user"
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "no `postgres` OS user to run PostgreSQL as"
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="imminence-pg-"))
    datadir, sockdir = base / "data", base / "sock"
    sockdir.mkdir()
    if as_user:
        shutil.chown(base, "postgres")
        shutil.chown(sockdir, "postgres")
        os.chmod(base, 0o700)
    try:
        init = subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(datadir), "-U",
                               "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
                              capture_output=True, text=True, timeout=120)
        if init.returncode != 0:
            shutil.rmtree(base, ignore_errors=True)
            return f"initdb failed: {init.stderr.strip()[-300:]}"
        port = free_port()
        opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {sockdir} -c fsync=on "
                "-c max_connections=50")
        start = subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(datadir), "-o",
                                opts, "-l", str(base / "log"), "-w", "-t", "60", "start"],
                               capture_output=True, text=True, timeout=90)
        if start.returncode != 0:
            log = (base / "log").read_text() if (base / "log").exists() else ""
            shutil.rmtree(base, ignore_errors=True)
            return f"pg_ctl start failed: {(start.stderr + log).strip()[-300:]}"
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        return f"could not start PostgreSQL: {exc}"
    return Postgres(url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                    datadir=datadir, bindir=bindir, as_user=as_user)


def create_database(pg: Postgres, name: str) -> str:
    """A new empty database in the cluster; its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(pg.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return pg.url.rsplit("/", 1)[0] + "/" + name


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(env: Mapping[str, str], log: Path, timeout: float = 60.0) -> Server:
    """The real app (api.main:create_app) under uvicorn on a free loopback port."""
    port = free_port()
    full = {**os.environ, "IMMINENCE_ACCESS_LOG": "false", "PYTHONUNBUFFERED": "1", **env}
    fh = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=full, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: "
                               f"{log.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/v1/exercises", timeout=2).status_code == 200:
                return Server(proc, base, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not answer within {timeout}s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def running(env: Mapping[str, str], log: Path) -> Iterator[Server]:
    server = start_server(env, log)
    try:
        yield server
    finally:
        server.stop()
