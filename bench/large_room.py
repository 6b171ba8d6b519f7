"""Benchmark: one group room at 25, 50, 100 and 200 people, honest about what two cores can hold.

Run: `.venv/bin/python bench/large_room.py` (as root: it re-runs itself inside a private network
namespace with a veth pair, as tests/sfu does).

The rig:
- Publishers are Janus remote publishers (`--sfu-rtp-publishers`, `sfu-publish-rtp`): each is a
  Salon participant on a signaling socket whose camera and microphone arrive as plain RTP. ffmpeg
  pre-encodes a short clip once (VP8 320x180 at 15 fps, a keyframe every 8 frames, and Opus);
  one pump process replays it on loop to every publisher's port (its own sequence numbers and
  timestamps each), with the RFC 6464 audio level in each Opus packet: silent, or talking. So a
  publisher costs Janus what a browser's would (receiving, and forwarding), and the rig almost
  nothing: no encoding, no DTLS.
- Subscribers are aiortc bots that count frames without decoding (as bench/sfu.py), each asking
  for a realistic page: `sfu-view` of the first 25 cameras (small layer), so at most 25 videos and
  the 5 loudest voices each.
- At each step a Chromium newcomer (a viewer, 960x600) is timed in the page from joining to its
  first decoded frame, and the audio switch is measured: a publisher outside the 5 loudest starts
  talking (its audio level), and the time until a subscriber bot's first audio frame of it.

Measured per step, over a window: Janus's and Salon's CPU (from /proc), first with the publishers
alone (the baseline: ingest), then with the subscribers; forwarded tracks (what Janus says each
subscriber receives); per participant. The extrapolation for 200 participants and 400 viewers:
the ingest of 200 publishers, plus 600 receivers × the tracks a page holds × Janus's CPU per
forwarded track at the largest step, plus Salon's CPU per participant × 600. Goals: tracks per
subscriber ≤ 30 at every step; Janus and Salon CPU per participant flat within 1.5× from the first
step to the last; a newcomer's first frame ≤ 1.0 s. The last line:
`large_room: participants=N tracks/subscriber=T janus_cpu_per_participant=C% first_frame=F s`.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import queue
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from playwright.async_api import async_playwright
from websockets.asyncio.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from salon_server import SalonServer  # noqa: E402
from sfu import (  # noqa: E402
    CHROMIUM_ARGS,
    VETH_SETUP,
    Bot,
    bots,
    cpu_seconds,
    create,
    in_veth_namespace,
    janus_pid,
    newcomer_first_frame,
    until,
)

VETH_ADDRESS = "10.77.0.1"
PAGE = 25
VOICES = 5
CLIP_S = 4
FPS = 15
TALKING_DBOV = 20
SILENT_DBOV = 127
MTU_PAYLOAD = 1150


# --- the clip and the pump ----------------------------------------------------------------------


def make_clip(folder: Path) -> tuple[list[tuple[bytes, bool]], list[bytes]]:
    """ffmpeg encodes the clip once; its VP8 frames (with keyframe flags) and Opus packets."""
    clip = folder / "clip.webm"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={FPS}",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", str(CLIP_S), "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "120k",
         "-g", "8", "-keyint_min", "8", "-auto-alt-ref", "0",
         "-c:a", "libopus", "-b:a", "24k", "-frame_duration", "20", str(clip)],
        check=True,
    )  # fmt: skip
    video: list[tuple[bytes, bool]] = []
    audio: list[bytes] = []
    with av.open(str(clip)) as container:
        for packet in container.demux():
            if packet.size == 0:
                continue
            if packet.stream.type == "video":
                video.append((bytes(packet), bool(packet.is_keyframe)))
            elif packet.stream.type == "audio":
                audio.append(bytes(packet))
    return video, audio


def rtp_header(pt: int, seq: int, ts: int, ssrc: int, marker: bool, level: int | None) -> bytes:
    first = 0x80 | (0x10 if level is not None else 0)
    header = struct.pack("!BBHII", first, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts, ssrc)
    if level is not None:  # RFC 8285 one-byte header: id 1, one byte: V flag and the level
        voice = 0x80 if level < SILENT_DBOV else 0
        header += struct.pack("!HHBBxx", 0xBEDE, 1, (1 << 4) | 0, voice | level)
    return header


@dataclass
class Target:
    port: int
    audio_ssrc: int
    video_ssrc: int
    level_ext: int
    seq_audio: int = 0
    seq_video: int = 0
    talking: bool = False


def pump(commands: "multiprocessing.Queue[Any]", folder: str) -> None:
    """Replays the clip to every publisher, 20 ms of audio and a frame every 1/15 s, until told
    to stop. Runs in a process of its own."""
    video, audio = make_clip(Path(folder))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    targets: dict[int, Target] = {}
    started = time.monotonic()
    audio_sent = video_sent = 0
    while True:
        try:
            while True:
                command = commands.get_nowait()
                if command[0] == "stop":
                    return
                if command[0] == "add":
                    targets[command[1].port] = command[1]
                elif command[0] == "talk":
                    targets[command[1]].talking = command[2]
        except queue.Empty:
            pass
        now = time.monotonic() - started
        while audio_sent <= now / 0.020:
            payload = audio[audio_sent % len(audio)]
            for target in targets.values():
                level = TALKING_DBOV if target.talking else SILENT_DBOV
                head = rtp_header(111, target.seq_audio, audio_sent * 960, target.audio_ssrc,
                                  False, level)  # fmt: skip
                target.seq_audio += 1
                sock.sendto(head + payload, (VETH_ADDRESS, target.port))
            audio_sent += 1
        while video_sent <= now * FPS:
            frame, _ = video[video_sent % len(video)]
            chunks = [frame[i : i + MTU_PAYLOAD] for i in range(0, len(frame), MTU_PAYLOAD)]
            for target in targets.values():
                for index, chunk in enumerate(chunks):
                    last = index == len(chunks) - 1
                    head = rtp_header(96, target.seq_video, video_sent * 6000, target.video_ssrc,
                                      last, None)  # fmt: skip
                    target.seq_video += 1
                    descriptor = b"\x10" if index == 0 else b"\x00"  # RFC 7741: S bit, PID 0
                    sock.sendto(head + descriptor + chunk, (VETH_ADDRESS, target.port))
            video_sent += 1
        time.sleep(0.005)  # the pump's tick: well under a 20 ms audio frame


# --- participants -------------------------------------------------------------------------------


@dataclass
class RtpPublisher:
    """A participant on a signaling socket whose media is plain RTP from the pump."""

    base_url: str
    room: str
    name: str
    id: str | None = None
    target: Target | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)
    _socket: ClientConnection | None = None
    _task: asyncio.Task[None] | None = None

    async def join(self) -> None:
        url = self.base_url.replace("http://", "ws://", 1) + "/_salon/signal"
        self._socket = await connect(url, max_size=2**20)
        join = {"type": "join", "v": 1, "room": self.room, "displayName": self.name}
        await self._socket.send(json.dumps(join))
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._socket is not None
        async for text in self._socket:
            message = json.loads(text)
            self.frames.append(message)
            if message["type"] == "joined":
                self.id = message["participantId"]
                await self._socket.send(json.dumps({"type": "sfu-publish-rtp"}))
            elif message["type"] == "sfu-rtp-published":
                audio, video = message["streams"]
                self.target = Target(
                    message["port"], audio["ssrc"], video["ssrc"], audio["audioLevelExtension"]
                )

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._socket is not None:
            await self._socket.close()


def tracks_of(bot: Any) -> int:
    """What Janus forwards to the bot now: the streams of its last offer."""
    offers = [f for f in bot.frames if f["type"] == "sfu-offer"]
    return len(offers[-1]["streams"]) if offers else 0


async def cpu_window(pids: list[int], seconds: float) -> list[float]:
    before = [cpu_seconds(pid) for pid in pids]
    await asyncio.sleep(seconds)  # the measured window
    return [(cpu_seconds(pid) - b) / seconds for pid, b in zip(pids, before, strict=True)]


# --- the run ------------------------------------------------------------------------------------


async def run(
    steps: list[int], subscribers: int, window: float, folder: str
) -> list[dict[str, Any]]:
    commands: multiprocessing.Queue[Any] = multiprocessing.Queue()
    pumping = multiprocessing.Process(target=pump, args=(commands, folder), daemon=True)
    pumping.start()
    rows: list[dict[str, Any]] = []
    publishers: list[RtpPublisher] = []
    subs: list[Any] = []
    data = Path(folder) / "data"
    data.mkdir()
    with SalonServer(data, "--janus", "auto", "--sfu-rtp-publishers") as server:
        made = create(server, "group")
        room = made["roomName"]
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                for step in steps:
                    try:
                        row = await one_step(
                            server, browser, made, room, step, subscribers, window,
                            publishers, subs, commands,
                        )  # fmt: skip
                    except SystemExit as stopped:
                        print(f"  stopped at {step} participants: {stopped}", flush=True)
                        break
                    rows.append(row)
                await browser.close()
        finally:
            commands.put(("stop",))
            await asyncio.gather(*(p.close() for p in publishers), *(b.close() for b in subs))
            pumping.join(5)
    return rows


async def one_step(
    server: SalonServer, browser: Any, made: dict[str, str], room: str, step: int,
    subscribers: int, window: float, publishers: list[RtpPublisher], subs: list[Any],
    commands: "multiprocessing.Queue[Any]",
) -> dict[str, Any]:  # fmt: skip
    subs_now = min(subscribers, step)
    count = step - subs_now  # publishers: the step's participants, less the subscriber bots
    joining = [
        RtpPublisher(server.base_url, room, f"pub{n}") for n in range(len(publishers), count)
    ]
    publishers += joining
    for publisher in joining:
        await publisher.join()
    await until(
        lambda: all(p.target is not None for p in publishers), "every publisher placed", 120
    )
    for publisher in joining:
        commands.put(("add", publisher.target))
    janus = janus_pid(server.pid)
    await asyncio.sleep(2)  # the new feeds announced and flowing before the baseline window
    base_janus, base_salon = await cpu_window([janus, server.pid], window)

    page = [{"participantId": p.id, "kind": "camera", "substream": 0} for p in publishers[:PAGE]]
    new_subs = [
        Bot(server.base_url, room, f"sub{n}", publishes=False, view=page)
        for n in range(len(subs), subs_now)
    ]
    for bot in subs:  # the page of those already in: the first 25 publishers of the room now
        await bot.send({"type": "sfu-view", "videos": page})
    subs += new_subs
    await asyncio.gather(*(bot.join() for bot in new_subs))

    def all_receiving() -> bool:
        return all(
            sum(1 for p in publishers[:PAGE] if bot.received[p.id].video_frames > 10)
            >= min(PAGE, len(publishers))
            for bot in subs
        )

    await until(all_receiving, "every subscriber receiving its page", 120)
    newcomers = [await newcomer_first_frame(browser, made["viewerRoomUrl"]) for _ in range(3)]
    first_frame = statistics.median(steps["frame"] for steps in newcomers) / 1000

    # The audio switch: the last publisher (outside the loudest five) starts talking.
    talker = publishers[-1]
    assert talker.target is not None
    already = [bot.received[talker.id].audio_frames for bot in subs]
    commands.put(("talk", talker.target.port, True))
    flipped = time.monotonic()
    await until(
        lambda: all(
            bot.received[talker.id].audio_frames > before
            for bot, before in zip(subs, already, strict=True)
        ),
        "the talker heard",
        30,
        lambda: {bot.name: bot.received[talker.id] for bot in subs},
    )
    heard_at = [bot.received[talker.id].first_audio_at for bot in subs]
    # Only a talker the bots did not hear before shows the switch (a room of at most six
    # publishers forwards every voice anyway).
    delays = [at - flipped for at in heard_at if at is not None and at > flipped]
    switch = statistics.median(delays) if delays else None
    janus_cpu, salon_cpu = await cpu_window([janus, server.pid], window)
    commands.put(("talk", talker.target.port, False))
    tracks = [tracks_of(bot) for bot in subs]
    participants = len(publishers) + len(subs)
    row = {
        "participants": participants,
        "publishers": len(publishers),
        "subscribers": len(subs),
        "tracks": sum(tracks),
        "tracks_per_subscriber": max(tracks),
        "base_janus": base_janus,
        "janus": janus_cpu,
        "salon": salon_cpu,
        "base_salon": base_salon,
        "first_frame": first_frame,
        "switch": switch,
    }
    print(
        f"  {participants:3} participants ({len(publishers)} RTP publishers, {len(subs)} bots):"
        f" {sum(tracks)} forwarded tracks, {max(tracks)} per subscriber;"
        f" Janus {janus_cpu * 100:.1f}% of a core ({base_janus * 100:.1f}% publishers alone,"
        f" {janus_cpu * 100 / participants:.2f}% per participant);"
        f" Salon {salon_cpu * 100:.1f}% ({salon_cpu * 100 / participants:.2f}% per participant);"
        f" newcomer's first frame {first_frame:.2f} s; audio switch "
        + (f"{switch:.2f} s" if switch is not None else "none (every voice forwarded)"),
        flush=True,
    )
    return row


def load_now() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


async def main(steps: list[int], subscribers: int, window: float) -> None:
    bots.count_without_decoding()
    print(f"large room: steps {steps}, {subscribers} subscriber bots; {load_now()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        rows = await run(steps, subscribers, window, folder)
    if not rows:
        raise SystemExit("large_room: FAILED: no step completed")
    first, top = rows[0], rows[-1]
    # Janus's CPU per forwarded track over every step (the subscribers' share above the
    # publishers-alone baseline); on a loaded machine one step's difference is mostly noise.
    per_track = max(sum(r["janus"] - r["base_janus"] for r in rows), 0.0) / max(
        sum(r["tracks"] for r in rows), 1
    )
    ingest_each = top["base_janus"] / top["publishers"]
    salon_each = top["salon"] / top["participants"]
    receivers = 600
    janus_cores = 200 * ingest_each + receivers * (PAGE + VOICES) * per_track
    cores = janus_cores + receivers * salon_each
    janus_flat = (top["janus"] / top["participants"]) / max(
        first["janus"] / first["participants"], 1e-9
    )
    salon_flat = salon_each / max(first["salon"] / first["participants"], 1e-9)
    print(
        f"large room: Janus {per_track * 100:.3f}% of a core per forwarded track, ingest"
        f" {ingest_each * 100:.3f}% per publisher; per participant from {first['participants']} to"
        f" {top['participants']}: Janus ×{janus_flat:.2f}, Salon ×{salon_flat:.2f} (goal ≤ 1.5);"
        f" extrapolated for 200 participants + 400 viewers: {cores:.1f} cores ({janus_cores:.1f} of"
        f" them Janus); {load_now()}"
    )
    switches = [r["switch"] for r in rows if r["switch"] is not None]
    if switches:
        print(f"large room: audio switch {min(switches):.2f}-{max(switches):.2f} s")
    print(
        f"large_room: participants={top['participants']}"
        f" tracks/subscriber={max(r['tracks_per_subscriber'] for r in rows)}"
        f" janus_cpu_per_participant={top['janus'] * 100 / top['participants']:.2f}%"
        f" first_frame={max(r['first_frame'] for r in rows):.2f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="25,50,100,200", help="participants, comma-separated")
    parser.add_argument("--subscribers", type=int, default=2, help="aiortc subscriber bots")
    parser.add_argument("--window", type=float, default=8.0, help="seconds of each measurement")
    args = parser.parse_args()
    if not in_veth_namespace():
        command = f"{VETH_SETUP}; exec {sys.executable} {' '.join(sys.argv)}"
        raise SystemExit(subprocess.call(["unshare", "--net", "sh", "-c", command]))
    asyncio.run(main([int(n) for n in args.steps.split(",")], args.subscribers, args.window))
