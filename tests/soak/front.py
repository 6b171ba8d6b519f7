"""nginx in front of the soak's cluster nodes, as `./scripts/cluster` and docs/operations.md set
it up (WebSockets upgraded, the next node tried on an error or a 502/503), but without upstream
keep-alive, so that open file descriptors go back to their count once the load has left."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from e2e.salon_process import HOST, free_port

UP_WITHIN_S = 20.0


def config(work: Path, port: int, upstreams: list[str]) -> str:
    servers = "".join(
        f"        server {address} max_fails=1 fail_timeout=5s;\n" for address in upstreams
    )
    user = "user root;" if os.geteuid() == 0 else ""  # else nginx drops to nobody
    return f"""{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 8192; }}
worker_rlimit_nofile 16384;
http {{
    access_log off;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
    upstream salon {{
{servers}    }}
    server {{
        listen {HOST}:{port};
        client_max_body_size 2m;
        location / {{
            proxy_pass http://salon;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
"""


class Front:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, upstreams: list[str]) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        conf = self.work / "nginx.conf"
        conf.write_text(config(self.work, self.port, upstreams))
        with (self.work / "nginx.out").open("wb") as out:
            self.process = subprocess.Popen(
                ["nginx", "-p", str(self.work), "-c", str(conf), "-g", "daemon off;"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + UP_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.work / 'nginx.out').read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # the pause between two polls
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)  # nginx's fast shutdown: its workers exit too
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
