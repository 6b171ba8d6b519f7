"""A private Janus that Salon starts, watches and restarts (`--janus auto`).

    start() ──► config folder in the data dir (VideoRoom + WebSocket transport only, 127.0.0.1,
                a free port, fresh admin_secret and admin_key) ──► `janus -F …` ──► ready (info)
    supervise() ──► the process exits ──► on_exit() ──► start again, with a growing pause

Nothing else listens: no HTTP transport, no admin API transport, no other plugin. The secrets are
new at every start and live only in the folder (mode 0700) and in this object.
"""

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import sysconfig
from collections.abc import Callable
from pathlib import Path

from salon.children import die_with_parent
from salon.sfu.janus_client import JanusError, JanusSession

log = logging.getLogger(__name__)

READY_WITHIN_S = 15.0
STOP_WITHIN_S = 5.0
RESTART_PAUSES_S = (0.0, 0.5, 1.0, 2.0, 5.0)
"""Pauses before successive restarts; a process that ran for a while starts from the first."""
STEADY_AFTER_S = 30.0
JANUS_BINARY = "janus"
_PLUGINS = ("audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip",
            "streaming", "textroom", "videocall", "voicemail")  # fmt: skip
_TRANSPORTS = ("http", "mqtt", "nanomsg", "pfunix", "rabbitmq")


def janus_binary() -> str | None:
    """The `janus` executable, or None when it is not installed."""
    return shutil.which(JANUS_BINARY) or shutil.which(JANUS_BINARY, path="/usr/bin:/usr/sbin")


def janus_library_dir() -> Path:
    """Where Debian puts Janus's plugins and transports."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    return Path("/usr/lib") / multiarch / "janus"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def write_config(
    folder: Path,
    *,
    ws_port: int,
    admin_secret: str,
    admin_key: str,
    rtp_ports: str,
    library_dir: Path,
    nat_1_1: str | None = None,
) -> None:
    """The whole configuration of a private Janus, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    disabled_plugins = ",".join(f"libjanus_{name}.so" for name in _PLUGINS)
    disabled_transports = ",".join(f"libjanus_{name}.so" for name in _TRANSPORTS)
    nat = f'nat_1_1_mapping = "{nat_1_1}"' if nat_1_1 else ""
    # A few shared loops, not a thread per peer connection: far fewer context switches with many
    # subscribers (measured in bench/sfu.py).
    event_loops = max(1, os.cpu_count() or 1)
    files = {
        "janus.jcfg": f"""
general: {{
  configs_folder = "{folder}"
  plugins_folder = "{library_dir}/plugins"
  transports_folder = "{library_dir}/transports"
  events_folder = "{library_dir}/events"
  loggers_folder = "{library_dir}/loggers"
  debug_level = 3
  admin_secret = "{admin_secret}"
  session_timeout = 60
  server_name = "salon-janus"
  event_loops = {event_loops}
}}
media: {{ rtp_port_range = "{rtp_ports}" }}
nat: {{ ice_ignore_list = "vmnet" {nat} }}
plugins: {{ disable = "{disabled_plugins}" }}
transports: {{ disable = "{disabled_transports}" }}
loggers: {{ disable = "libjanus_jsonlog.so" }}
events: {{ broadcast = false }}
""",
        "janus.transport.websockets.jcfg": f"""
general: {{ json = "compact" ws = true ws_port = {ws_port} ws_ip = "127.0.0.1" wss = false }}
admin: {{ admin_ws = false admin_wss = false }}
""",
        "janus.plugin.videoroom.jcfg": f"""
general: {{ admin_key = "{admin_key}" lock_rtp_forward = true }}
""",
    }
    for name, text in files.items():
        path = folder / name
        path.write_text(text.lstrip())
        path.chmod(0o600)


class JanusProcess:
    """One managed Janus; `url` and `admin_key` change at every (re)start."""

    def __init__(
        self,
        folder: Path,
        *,
        rtp_ports: str,
        binary: str,
        nat_1_1: str | None = None,
        on_ready: Callable[["JanusProcess"], None] = lambda _p: None,
    ) -> None:
        self.folder = folder
        self.rtp_ports = rtp_ports
        self.binary = binary
        self.nat_1_1 = nat_1_1
        self.on_ready = on_ready
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.admin_key = ""
        self.starts = 0
        self._stopping = False
        self._ready = asyncio.Event()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def wait_ready(self) -> None:
        await self._ready.wait()

    async def start(self) -> None:
        """Start Janus and return once it answers `info` on its WebSocket."""
        port = free_port()
        self.admin_key = secrets.token_urlsafe(24)
        write_config(
            self.folder,
            ws_port=port,
            admin_secret=secrets.token_urlsafe(24),
            admin_key=self.admin_key,
            rtp_ports=self.rtp_ports,
            library_dir=janus_library_dir(),
            nat_1_1=self.nat_1_1,
        )
        log_file = self.folder / "janus.log"
        self.process = await asyncio.create_subprocess_exec(
            self.binary,
            "-F", str(self.folder), "-o", "-N", "-L", str(log_file),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in Salon's terminal is for Salon; it stops Janus
            preexec_fn=die_with_parent,
        )  # fmt: skip
        self.url = f"ws://127.0.0.1:{port}"
        self.starts += 1
        await self._wait_answering(log_file)
        log.info("janus started (pid %s) on %s", self.process.pid, self.url)
        self._ready.set()
        self.on_ready(self)

    async def _wait_answering(self, log_file: Path) -> None:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_WITHIN_S
        while True:
            if self.process.returncode is not None:
                raise RuntimeError(
                    f"janus exited with {self.process.returncode} at start; see {log_file}"
                )
            with contextlib.suppress(JanusError):
                session = await JanusSession.open(self.url, timeout_s=2.0)
                try:
                    info = await session.info()
                finally:
                    await session.close()
                # A port taken meanwhile would let another server answer: check who it is.
                if info.get("server-name") == "salon-janus" and VIDEOROOM_PLUGIN in info.get(
                    "plugins", {}
                ):
                    return
            if loop.time() > deadline:
                await self._kill()
                raise RuntimeError(f"janus did not answer within {READY_WITHIN_S} s")
            await asyncio.sleep(0.1)  # between two polls of a condition

    async def supervise(self) -> None:
        """Keep Janus running until `stop()`: start it, and start it again whenever it exits."""
        failures = 0
        while not self._stopping:
            loop = asyncio.get_running_loop()
            began = loop.time()
            try:
                await self.start()
            except RuntimeError as error:
                log.error("janus: %s", error)
            if self.process is not None and self.process.returncode is None:
                await self.process.wait()
            self._ready.clear()
            if self._stopping:
                return
            code = self.process.returncode if self.process is not None else None
            failures = 0 if loop.time() - began > STEADY_AFTER_S else failures + 1
            pause = RESTART_PAUSES_S[min(failures, len(RESTART_PAUSES_S) - 1)]
            log.warning("janus exited (code %s); restarting in %.1f s", code, pause)
            await asyncio.sleep(pause)

    async def _kill(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            await process.wait()

    async def stop(self) -> None:
        self._stopping = True
        await self._kill()


VIDEOROOM_PLUGIN = "janus.plugin.videoroom"
