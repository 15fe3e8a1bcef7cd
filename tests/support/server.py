"""Run Slotwise as a real separate process for integration tests (real HTTP, real signals)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

SLOTWISE = str(Path(sys.executable).with_name("slotwise"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_cli(*args: str, env: Mapping[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    merged = {**os.environ, **(env or {})}
    result = subprocess.run([SLOTWISE, *args], env=merged, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"slotwise {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_server(env: Mapping[str, str], log_dir: Path, *extra: str, timeout: float = 20.0) -> ServerProcess:
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    # No webhook worker unless the test asks for one: a server's worker shares the test database
    # and would deliver (and log attempts for) other tests' events.
    merged = {**os.environ, "SLOTWISE_LOG_LEVEL": "warning", "SLOTWISE_WEBHOOK_WORKER": "0", **env}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [SLOTWISE, "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
            env=merged,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early ({process.returncode}):\n{server.log()}")
        try:
            if httpx.get(server.base_url + "/health", timeout=0.5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"server did not become healthy in {timeout} s:\n{server.log()}")
