"""Static files from memory: the same answers as Starlette's `StaticFiles` (validators, 304, HEAD,
404, no escape from the folder), and a file changed on disk is served changed."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from helpers import Api
from salon.pages.assets import InMemoryStaticFiles
from salon.pages.room import STATIC_PATH

MODULE = "export const answer = 42;\n"


@pytest.fixture
async def folders(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    public = tmp_path / "public"
    (public / "room").mkdir(parents=True)
    (public / "room" / "main.js").write_text(MODULE)
    (public / "room" / "room.css").write_text("body { margin: 0; }\n")
    (tmp_path / "secret.txt").write_text("not for the web")
    app = Starlette(
        routes=[
            Mount("/memory", InMemoryStaticFiles(directory=public)),
            Mount("/disk", StaticFiles(directory=public)),
        ]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
        yield client, public


async def test_answers_as_starlettes_static_files_do(
    folders: tuple[httpx.AsyncClient, Path],
) -> None:
    client, _ = folders
    for name in ("room/main.js", "room/room.css"):
        memory = await client.get(f"/memory/{name}")
        disk = await client.get(f"/disk/{name}")
        assert memory.status_code == disk.status_code == 200
        assert memory.content == disk.content
        for header in ("content-type", "content-length", "etag", "last-modified"):
            assert memory.headers[header] == disk.headers[header], header
    module = await client.get("/memory/room/main.js")
    assert module.headers["content-type"].startswith("text/javascript")


async def test_validators_head_and_missing_files(folders: tuple[httpx.AsyncClient, Path]) -> None:
    client, _ = folders
    first = await client.get("/memory/room/main.js")
    again = await client.get(
        "/memory/room/main.js", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    head = await client.head("/memory/room/main.js")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(MODULE))
    assert head.content == b""
    assert (await client.get("/memory/room/nope.js")).status_code == 404
    assert (await client.get("/memory/room")).status_code == 404
    escape = await client.get("/memory/room/..%2f..%2fsecret.txt")
    assert escape.status_code == 404
    assert b"not for the web" not in escape.content


async def test_a_file_changed_on_disk_is_read_again(
    folders: tuple[httpx.AsyncClient, Path],
) -> None:
    client, public = folders
    before = await client.get("/memory/room/main.js")
    assert before.text == MODULE
    changed = "export const answer = 43; // and a longer line\n"
    path = public / "room" / "main.js"
    path.write_text(changed)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = await client.get("/memory/room/main.js")
    assert after.text == changed
    assert after.headers["etag"] != before.headers["etag"]


async def test_names_the_file_system_cannot_hold_are_not_found(
    folders: tuple[httpx.AsyncClient, Path],
) -> None:
    client, _ = folders
    for path in ("room/main%00.js", "room/%00", "a" * 300, "room/" + "b" * 5000, "a/" * 3000):
        answer = await client.get(f"/memory/{path}")
        assert answer.status_code == 404, (path[:40], answer.status_code)


async def test_the_signaling_example_is_framed_by_salon_only(api: Api) -> None:
    page = await api.client.get(f"{STATIC_PATH}/room/example-protocol.html")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    module = await api.client.get(f"{STATIC_PATH}/room/signaling.js")
    assert module.status_code == 200
    assert module.headers["x-content-type-options"] == "nosniff"
    for path in ("room/x%00.js", "x" * 300):
        assert (await api.client.get(f"{STATIC_PATH}/{path}")).status_code == 404
