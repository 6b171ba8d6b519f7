"""A `redis-server` of the soak's own, on a free port with its folder in a temporary directory
(never the shared one on 6379), so that it can be killed with `kill -9` and started again on the
same port. No persistence: a restart comes back empty, as a cache server without a disk does."""

import os
import signal
import subprocess
import time
from pathlib import Path

import redis

from e2e.salon_process import HOST, free_port

UP_WITHIN_S = 10.0


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> float:
        """Start and wait for PING; the seconds it took."""
        self.starts += 1
        started = time.monotonic()
        with (self.folder / f"redis-{self.starts}.log").open("wb") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--bind", HOST, "--port", str(self.port), "--dir",
                 str(self.folder), "--save", "", "--appendonly", "no", "--protected-mode", "no"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        try:
            while time.monotonic() - started < UP_WITHIN_S:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}")
                try:
                    if client.ping():
                        return time.monotonic() - started
                except redis.exceptions.RedisError:
                    pass
                time.sleep(0.05)  # the pause between two pings
        finally:
            client.close()
        raise RuntimeError(f"redis-server did not answer within {UP_WITHIN_S} s")

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
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def keys(self, pattern: str) -> list[str]:
        client = redis.Redis.from_url(self.url, socket_timeout=2, decode_responses=True)
        try:
            return sorted(str(key) for key in client.keys(pattern))
        finally:
            client.close()
