"""A private, throwaway PostgreSQL cluster (``initdb`` + ``pg_ctl``) that a test or benchmark may stop
and start at will, without touching the shared server on 127.0.0.1:5432 that colleagues' runs use."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

# Debian puts the server binaries outside PATH: /usr/lib/postgresql/<major>/bin
_CANDIDATES = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)


def pg_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (``SLOTWISE_PG_BIN`` overrides), or None."""
    configured = os.environ.get("SLOTWISE_PG_BIN")
    candidates = (
        [configured]
        if configured
        else [*_CANDIDATES, *([str(Path(w).parent)] if (w := shutil.which("initdb")) else [])]
    )
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivatePostgres:
    """``with PrivatePostgres() as pg: pg.url("postgres"); pg.stop(); pg.start()``.

    initdb refuses to run as root, so as root the binaries run as the ``postgres`` user (``runuser``).
    ``stop()`` is ``pg_ctl stop -m immediate``: the server dies without a checkpoint, like a crash or a
    pulled plug, and ``start()`` goes through crash recovery.
    """

    def __init__(self, *, port: int | None = None, max_connections: int = 200) -> None:
        folder = pg_bin_dir()
        if folder is None:
            raise RuntimeError("initdb/pg_ctl not found (install the postgresql package or set SLOTWISE_PG_BIN)")
        self.bin = folder
        self.port = port or _free_port()
        self.max_connections = max_connections
        self.root = Path(tempfile.mkdtemp(prefix="slotwise-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-locale", "-E", "UTF8", "--no-sync"
        )

    def _run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr or result.stdout}\n{self.log()}")
        return result

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections={self.max_connections}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError):
                self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        try:
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.destroy()
