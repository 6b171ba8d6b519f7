"""`salon serve --janus off`: a group room answers clearly that this server has no SFU, while
normal rooms still work; and a `--janus` that is neither auto, off nor ws:// URLs stops the start
with a message."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from e2e.salon_process import SalonServer, run_cli

FUTURE = "2099-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    root = tmp_path_factory.mktemp("sfu-off")
    extra = ["--janus", "off"]
    with SalonServer.on(log_dir=root / "logs", data_dir=root / "data", extra_args=extra) as s:
        yield s


async def _join(server: SalonServer, mode: str) -> tuple[list[dict[str, object]], int | None]:
    """Create a meeting of this mode and join it; the frames received and the close code."""
    assert server.first_key is not None
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        made = await client.post(
            "/v1/meetings",
            headers={"Authorization": f"Bearer {server.first_key}"},
            json={"endDate": FUTURE, "roomMode": mode},
        )
    assert made.status_code == 201, made.text
    url = server.base_url.replace("http://", "ws://") + "/_salon/signal"
    frames: list[dict[str, object]] = []
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "join", "v": 1, "room": made.json()["roomName"]}))
        frames.append(json.loads(await socket.recv()))
        if mode == "group":
            await socket.wait_closed()
        return frames, socket.close_code


async def test_a_group_room_is_refused_with_no_sfu_and_4503(server: SalonServer) -> None:
    frames, code = await _join(server, "group")
    assert frames == [
        {
            "type": "error",
            "code": "no_sfu",
            "message": "this is a group room and this server has no SFU to carry it",
            "about": "join",
        }
    ]
    assert code == 4503


async def test_a_normal_room_still_works_without_an_sfu(server: SalonServer) -> None:
    frames, _ = await _join(server, "normal")
    assert frames[0]["type"] == "joined"
    assert frames[0]["media"] == "mesh"


def test_a_janus_setting_that_is_no_url_stops_the_start(tmp_path: Path) -> None:
    server = SalonServer.on(
        log_dir=tmp_path / "logs", data_dir=tmp_path / "data", extra_args=["--janus", "janus:1"]
    )
    with pytest.raises(RuntimeError, match="exited with 1"):
        server.start()
    assert "salon: --janus: a Janus instance is a ws:// or wss:// URL, not 'janus:1'" in (
        server.stderr
    ), server.stderr
    assert run_cli("migrate", data_dir=tmp_path / "data").returncode == 0
