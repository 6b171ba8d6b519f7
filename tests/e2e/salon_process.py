"""`salon serve` as a real process on a free 127.0.0.1 port, and the `salon` CLI beside it.

The process's stdout and stderr go to files (a pipe nobody reads could fill up and stall it);
the banner is read back from the stdout file once `/healthz` answers, since the banner is printed,
and flushed, before the server starts listening.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx

SALON = str(Path(sys.executable).parent / "salon")
HOST = "127.0.0.1"
READY_WITHIN_S = 30.0
STOP_WITHIN_S = 10.0
CLI_WITHIN_S = 60.0

_FIRST_KEY = re.compile(r"^[ \t]+(salon_\S+)[ \t]*$", re.MULTILINE)


def free_port() -> int:
    """A port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any `SALON_*` variable, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SALON_")}
    env.update(extra or {})
    return env


def storage_flags(data_dir: Path | None, database_url: str | None) -> list[str]:
    if database_url is not None:
        return ["--database-url", database_url]
    if data_dir is not None:
        return ["--data-dir", str(data_dir)]
    return []


def run_cli(
    *args: str,
    data_dir: Path | None = None,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`salon ARGS… [--data-dir D | --database-url U]`, its exit code and output captured."""
    return subprocess.run(
        [SALON, *args, *storage_flags(data_dir, database_url)],
        input=input_text,
        capture_output=True,
        text=True,
        env=clean_env(env),
        timeout=CLI_WITHIN_S,
        check=False,
    )


class SalonServer:
    """One `salon serve` process; `start()` returns once `/healthz` answers 200."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        port: int,
        log_dir: Path,
        env: Mapping[str, str] | None = None,
        data_dir: Path | None = None,
        database_url: str | None = None,
    ) -> None:
        self.args = [SALON, "serve", *args]
        self.data_dir = data_dir
        """Where its database is, for `run_cli`: a data dir or a database URL."""
        self.database_url = database_url
        self.port = port
        self.base_url = f"http://{HOST}:{port}"
        self.env = clean_env(env)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = log_dir / f"serve-{port}.stdout"
        self.stderr_path = log_dir / f"serve-{port}.stderr"
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def on(
        cls,
        *,
        log_dir: Path,
        data_dir: Path | None = None,
        database_url: str | None = None,
        extra_args: Sequence[str] = (),
    ) -> "SalonServer":
        """A server on a free port over a data dir or a database URL (not started yet)."""
        port = free_port()
        args = ["--host", HOST, "--port", str(port), *storage_flags(data_dir, database_url)]
        return cls(
            [*args, *extra_args],
            port=port,
            log_dir=log_dir,
            data_dir=data_dir,
            database_url=database_url,
        )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    @property
    def first_key(self) -> str | None:
        """The first API key from the banner: only on the first start over a fresh database."""
        match = _FIRST_KEY.search(self.stdout)
        return match.group(1) if match else None

    def cli(self, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        """`salon ARGS…` over this server's database (with `input_text` on its standard input)."""
        return run_cli(
            *args, data_dir=self.data_dir, database_url=self.database_url, input_text=input_text
        )

    def start(self) -> "SalonServer":
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(self.args, stdout=out, stderr=err, env=self.env)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_WITHIN_S
        with httpx.Client(base_url=self.base_url, timeout=1.0) as client:
            while True:
                exit_code = self.process.poll()
                if exit_code is not None:
                    raise RuntimeError(
                        f"salon serve exited with {exit_code} before it was ready\n"
                        f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
                    )
                try:
                    if client.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"salon serve did not answer /healthz within {READY_WITHIN_S} s\n"
                        f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
                    )
                time.sleep(0.05)  # the pause between polls, not a synchronisation

    def stop(self) -> None:
        """SIGTERM by pid, wait; SIGKILL if it has not ended by then."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_WITHIN_S)

    def __enter__(self) -> "SalonServer":
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
