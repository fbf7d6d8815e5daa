"""A throwaway PostgreSQL cluster for the test session.

The cluster lives in a fresh temp dir, listens only on loopback on a random port, and runs with
durability switched off: it holds nothing worth keeping, and the tests should be fast.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
USER = "plgbot"
HOST = "127.0.0.1"
START_TIMEOUT_S = 30
# initdb refuses to run as root, so as root the server runs as the user Debian's package creates.
SYSTEM_USER = "postgres"


def _has_server(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in SERVER_BINARIES)


def _version_key(bindir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin: compare versions numerically, so that 10 beats 9.6.
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def find_postgres_bin() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None when there is no server."""
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        # libpq-dev alone also ships pg_config, naming a bindir without a server in it.
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and _has_server(bindir):
            return bindir
    debian = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if _has_server(Path(p))]
    if debian:
        return max(debian, key=_version_key)
    initdb = shutil.which("initdb")
    if initdb is not None and _has_server(Path(initdb).parent):
        return Path(initdb).parent
    return None


def _free_port() -> int:
    # Another process may grab the port before the server binds it; start() retries if so.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _as_system_user(cmd: Sequence[str]) -> list[str]:
    if shutil.which("runuser"):
        return ["runuser", "-u", SYSTEM_USER, "--", *cmd]
    if shutil.which("setpriv"):
        return [
            "setpriv",
            f"--reuid={SYSTEM_USER}",
            f"--regid={SYSTEM_USER}",
            "--init-groups",
            *cmd,
        ]
    return ["su", "-s", "/bin/sh", SYSTEM_USER, "-c", shlex.join(cmd)]


class PostgresError(RuntimeError):
    pass


class PostgresCluster:
    """Start with start() (or `with`), stop with stop(); stop() also deletes every file."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_postgres_bin()
        if found is None:
            raise PostgresError("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
        self.bindir = found
        self.port = 0
        self.tmpdir: Path | None = None
        self._running = False
        self._as_root = os.geteuid() == 0

    @property
    def datadir(self) -> Path:
        return self._tmp / "data"

    @property
    def sockdir(self) -> Path:
        return self._tmp / "sock"

    @property
    def logfile(self) -> Path:
        return self._tmp / "server.log"

    @property
    def url(self) -> str:
        """Async SQLAlchemy URL of the default `postgres` database."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        if not self._running:
            raise PostgresError("the cluster is not running")
        return f"postgresql+asyncpg://{USER}@{HOST}:{self.port}/{database}"

    @property
    def _tmp(self) -> Path:
        if self.tmpdir is None:
            raise PostgresError("the cluster has not been started")
        return self.tmpdir

    def _run(self, cmd: Sequence[str], *, as_server: bool) -> subprocess.CompletedProcess[str]:
        if as_server and self._as_root:
            cmd = _as_system_user(cmd)
        # The server user may not be allowed into the caller's working directory.
        return subprocess.run(
            cmd,
            cwd=self._tmp,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            # pg_ctl bounds its own wait; this only guards against a hung client or initdb.
            timeout=4 * START_TIMEOUT_S,
        )

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def start(self) -> None:
        if self._running:
            return
        self.tmpdir = Path(tempfile.mkdtemp(prefix="plgbot-pg-"))
        try:
            self._init()
            for _attempt in range(3):
                self.port = _free_port()
                self.logfile.unlink(missing_ok=True)
                result = self._pg_ctl_start()
                if result.returncode == 0 or "already in use" not in self._log_tail():
                    break
            if result.returncode != 0:
                raise PostgresError(
                    f"pg_ctl start failed (exit {result.returncode}):\n"
                    f"{result.stdout}{result.stderr}\n--- server log ---\n{self._log_tail()}"
                )
        except BaseException:
            # A half-started cluster must not outlive a failed start.
            self.stop()
            raise
        self._running = True
        # If pytest dies without running fixture finalizers, the postmaster would keep running.
        atexit.register(self.stop)

    def _init(self) -> None:
        for path in (self.datadir, self.sockdir):
            path.mkdir(mode=0o700)
        if self._as_root:
            try:
                for path in (self._tmp, self.datadir, self.sockdir):
                    shutil.chown(path, SYSTEM_USER, SYSTEM_USER)
            except LookupError as e:
                raise PostgresError(
                    f"as root, the server needs a {SYSTEM_USER!r} system user to run as"
                    " (Debian's postgresql package creates it)"
                ) from e
        result = self._run(
            [
                str(self.bindir / "initdb"),
                f"--pgdata={self.datadir}",
                "--auth=trust",
                f"--username={USER}",
                "--encoding=UTF8",
                "--locale=C",
                # Nothing here has to survive a crash, and fsyncing the new cluster is slow.
                "--no-sync",
            ],
            as_server=True,
        )
        if result.returncode != 0:
            raise PostgresError(
                f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _pg_ctl_start(self) -> subprocess.CompletedProcess[str]:
        options = [
            *("-c", f"listen_addresses={HOST}"),
            *("-p", str(self.port)),
            *("-k", str(self.sockdir)),
            # Durability only costs time for a cluster deleted at the end of the session.
            *("-c", "fsync=off"),
            *("-c", "synchronous_commit=off"),
            *("-c", "full_page_writes=off"),
        ]
        return self._run(
            [
                str(self.bindir / "pg_ctl"),
                *("-D", str(self.datadir)),
                *("-l", str(self.logfile)),
                *("-o", shlex.join(options)),
                "-w",
                *("-t", str(START_TIMEOUT_S)),
                "start",
            ],
            as_server=True,
        )

    def stop(self) -> None:
        """Stop the server and delete its files; safe to call more than once."""
        if self.tmpdir is None:
            return
        # Also after a failed start: pg_ctl may have given up waiting on a server that still runs.
        if (self.datadir / "postmaster.pid").exists():
            # The data is thrown away, so there is no point in a clean shutdown.
            self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                as_server=True,
            )
        self._running = False
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir = None
        atexit.unregister(self.stop)

    def create_database(self, name: str, *, template: str = "template0") -> str:
        """Create database `name` as a copy of `template`; return its async SQLAlchemy URL."""
        # Over TCP with trust auth this needs no user switch, and being blocking it needs no event
        # loop of its own, so fixtures can call it from inside pytest-asyncio's.
        result = self._run(
            [
                str(self.bindir / "createdb"),
                *("-h", HOST),
                *("-p", str(self.port)),
                *("-U", USER),
                # template0 is pristine, and measured here about twice as quick to copy as the
                # default template1.
                f"--template={template}",
                "--",
                name,
            ],
            as_server=False,
        )
        if result.returncode != 0:
            raise PostgresError(f"createdb {name!r} failed:\n{result.stdout}{result.stderr}")
        return self.url_for(name)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
