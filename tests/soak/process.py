"""The Salon process under soak: started on a fixed port so that clients find it again after a
`kill -9` and a restart; its RSS and open file descriptors read from /proc; its readiness."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from e2e.salon_process import HOST, SALON, clean_env, free_port

READY_WITHIN_S = 180.0
"""Generous: on a machine shared by several test runs, start-up alone took over a minute."""


class SalonProcess:
    def __init__(self, storage: list[str], log_dir: Path, extra: list[str]) -> None:
        self.port = free_port()
        self.metrics_port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.metrics_url = f"http://{HOST}:{self.metrics_port}/metrics"
        self.args = [SALON, "serve", "--host", HOST, "--port", str(self.port), *storage]
        self.args += ["--metrics-port", str(self.metrics_port), *extra]
        self.storage = storage
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))

    def start(self) -> float:
        """Start and wait for `/healthz`; the seconds it took."""
        self.starts += 1
        started = time.monotonic()
        with (self.log_dir / f"serve-{self.starts}.log").open("wb") as out:
            self.process = subprocess.Popen(
                self.args, stdout=out, stderr=subprocess.STDOUT, env=clean_env()
            )
        deadline = started + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"salon serve exited with {self.process.returncode}:\n{self.log}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # the pause between two polls
        raise RuntimeError(f"salon serve did not answer within {READY_WITHIN_S} s")

    def kill(self) -> None:
        """`kill -9`, by pid."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def children(self) -> list[int]:
        """Processes Salon started (its managed Janus)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []


async def readiness(base_url: str) -> int | None:
    """`/readyz`'s status, or None when nothing answers."""
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            return (await http.get(f"{base_url}/readyz")).status_code
    except httpx.HTTPError:
        return None
