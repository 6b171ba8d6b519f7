"""A real RTMP receiver for the streaming tests: Debian's nginx with `libnginx-mod-rtmp`, on
127.0.0.1, recording every stream it receives to `<folder>/rec/<stream key>.flv`."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from e2e.salon_process import free_port

MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
NGINX = Path("/usr/sbin/nginx")
UP_WITHIN_S = 10.0

CONFIG = """load_module {module};
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 64; }}
rtmp {{
    server {{
        listen 127.0.0.1:{port};
        application live {{
            live on;
            record all;
            record_path {folder}/rec;
            record_unique off;
        }}
    }}
}}
"""


class RtmpServer:
    def __init__(self, folder: Path) -> None:
        assert NGINX.exists(), "apt-get install nginx"
        assert MODULE.exists(), "apt-get install libnginx-mod-rtmp"
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, key: str) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live/{key}"

    def recorded(self, key: str) -> Path:
        return self.folder / "rec" / f"{key}.flv"

    def __enter__(self) -> "RtmpServer":
        (self.folder / "rec").mkdir(parents=True, exist_ok=True)
        config = self.folder / "nginx.conf"
        config.write_text(CONFIG.format(module=MODULE, folder=self.folder, port=self.port))
        self.process = subprocess.Popen(
            [str(NGINX), "-p", str(self.folder), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + UP_WITHIN_S
        while not self._accepts():
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, f"nginx did not start: {self.log()}"
            time.sleep(0.05)
        return self

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text() if path.exists() else ""

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
