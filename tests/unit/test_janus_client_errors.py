"""The Janus client's failure paths, against a fake Janus (a WebSocket server here): a server that
refuses the subprotocol, Janus errors and plugin errors as `JanusError`, a request with no answer
as `JanusGone` with the session declared lost, and a connection that drops mid-request. The happy
path is tested against a real Janus in tests/sfu."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve

from salon.sfu.janus_client import SUBPROTOCOL, JanusError, JanusGone, JanusSession

Reply = Callable[[dict[str, Any], ServerConnection], Awaitable[None]]


async def fake_janus(reply: Reply, *, subprotocols: list[Any] | None = None) -> Server:
    async def handler(connection: ServerConnection) -> None:
        async for frame in connection:
            await reply(json.loads(frame), connection)

    return await serve(handler, "127.0.0.1", 0, subprotocols=subprotocols or [SUBPROTOCOL])


def url_of(server: Server) -> str:
    host, port = next(iter(server.sockets)).getsockname()[:2]
    return f"ws://{host}:{port}"


async def standard(request: dict[str, Any], connection: ServerConnection) -> None:
    """Create and attach succeed; plugin messages are refused the way VideoRoom refuses them;
    `keepalive` is never answered; `trickle` drops the connection."""
    transaction = request["transaction"]
    match request["janus"]:
        case "create" | "attach" | "destroy":
            await connection.send(
                json.dumps({"janus": "success", "transaction": transaction, "data": {"id": 7}})
            )
        case "message" if request["body"]["request"] == "exists":
            await connection.send(json.dumps({"janus": "ack", "transaction": transaction}))
            await connection.send(
                json.dumps(
                    {
                        "janus": "event",
                        "transaction": transaction,
                        "sender": 7,
                        "plugindata": {
                            "plugin": "janus.plugin.videoroom",
                            "data": {
                                "videoroom": "event",
                                "error_code": 426,
                                "error": "No such room",
                            },
                        },
                    }
                )
            )
        case "message":
            await connection.send(
                json.dumps(
                    {
                        "janus": "error",
                        "transaction": transaction,
                        "error": {"code": 458, "reason": "No such session"},
                    }
                )
            )
        case "trickle":
            await connection.close()
        case _:
            pass


@pytest.fixture
async def janus() -> AsyncIterator[Server]:
    server = await fake_janus(standard)
    async with server:
        yield server


async def test_a_server_without_the_janus_subprotocol_is_refused() -> None:
    server = await fake_janus(standard, subprotocols=["other"])
    async with server:
        with pytest.raises(JanusGone, match="cannot connect to"):
            await JanusSession.open(url_of(server))


async def test_nothing_listening_is_janus_gone() -> None:
    with pytest.raises(JanusGone, match=r"^cannot connect to ws://127\.0\.0\.1:1: "):
        await JanusSession.open("ws://127.0.0.1:1")


async def test_janus_and_plugin_errors_carry_their_code_and_reason(janus: Server) -> None:
    session = await JanusSession.open(url_of(janus))
    handle = await session.attach()
    with pytest.raises(JanusError) as plugin:
        await handle.request({"request": "exists", "room": 1})
    assert (plugin.value.code, plugin.value.reason) == (426, "No such room")
    with pytest.raises(JanusError) as gateway:
        await handle.request({"request": "create"})
    assert (gateway.value.code, gateway.value.reason) == (458, "No such session")
    assert session.lost is None, "a refused request leaves the session up"
    await session.close()


async def test_an_unanswered_request_times_out_and_loses_the_session(janus: Server) -> None:
    session = await JanusSession.open(url_of(janus), timeout_s=0.2)
    lost: list[str] = []
    session.on_lost = lost.append
    with pytest.raises(JanusGone, match="request timed out"):
        await session.call({"janus": "keepalive"}, ack_only=True)
    assert lost == ["no answer to keepalive within 0.2 s"]
    with pytest.raises(JanusGone):
        await session.attach()
    await session.close()


async def test_a_connection_that_drops_mid_request_fails_it_and_says_so_once(
    janus: Server,
) -> None:
    session = await JanusSession.open(url_of(janus))
    lost: list[str] = []
    session.on_lost = lost.append
    handle = await session.attach()
    with pytest.raises(JanusGone):
        await handle.trickle(None)
    await asyncio.sleep(0)  # let the reader see the close it may race with
    assert lost == ["connection closed"]
    await session.close()
