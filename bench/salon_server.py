"""One `salon serve` process for a benchmark: a free port on 127.0.0.1, SQLite in a given folder,
ready once `/healthz` answers, its first API key read from the banner, stopped by its pid."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

SALON = str(Path(sys.executable).parent / "salon")
HOST = "127.0.0.1"
READY_WITHIN_S = 120.0
"""Generous: a loaded machine (the benchmarks run beside other work) starts a node slowly."""
_KEY_LINE = re.compile(r"^\s+(salon_[a-z0-9]{12}_\S+)\s*$", re.MULTILINE)


class BenchError(Exception):
    """A reason to stop a benchmark and exit 1."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_answers(url: str, process: "subprocess.Popen[bytes]", log: Callable[[], str]) -> None:
    """Poll `url` until it answers 200; `BenchError` (with `log()`) if the process exits first
    or `READY_WITHIN_S` passes."""
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{url}: the server exited with {process.returncode}:\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)  # the pause between two polls
    raise BenchError(f"{url} did not answer within {READY_WITHIN_S} s")


class SalonServer:
    def __init__(
        self, data_dir: Path, *flags: str, first: bool = True, source: Path | None = None
    ) -> None:
        """`first=False`: another server made the database's first key (a second node).
        `source`: another checkout's `src` folder to run Salon from (a benchmark's baseline)."""
        self.data_dir = data_dir
        self._first = first
        self._env = {**os.environ, "PYTHONPATH": str(source)} if source else None
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log = data_dir / "serve.log"
        self._command = [SALON, "serve", "--host", HOST, "--port", str(self.port)]
        self._command += ["--data-dir", str(data_dir), "--log-level", "warning", *flags]
        self.key = ""
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> "SalonServer":
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                self._command, stdout=out, stderr=subprocess.STDOUT, env=self._env
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        found = _KEY_LINE.search(self.log.read_text())
        if found is None and not self._first:
            return self
        if found is None:
            self.stop()
            raise BenchError(f"no first API key in the banner:\n{self.log.read_text()}")
        self.key = found.group(1)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        assert self._process is not None
        wait_answers(f"{self.base_url}/healthz", self._process, lambda: self.log.read_text())

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
