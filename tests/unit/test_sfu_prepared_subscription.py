"""A member's first subscription is prepared as it enters: Janus's offer is ready before the
browser asks (`sfu-subscribe`), and leaves as soon as it does, on the prepared handle. A prepared
offer that Janus changed meanwhile is dropped for a fresh one. Janus is a fake here."""

import asyncio
from types import SimpleNamespace
from typing import Any, cast

from salon.sfu.group_media import JanusGroupMedia
from salon.sfu.model import Feed, VideoRoom

SPACE = "room-1"


class FakeHandle:
    def __init__(self, handle_id: int) -> None:
        self.id = handle_id
        self.on_event: Any = lambda _event: None
        self.requests: list[dict[str, Any]] = []
        self.detached = False

    async def request(
        self, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        self.requests.append(body)
        if body["request"] != "join":
            return {"videoroom": "event"}, None
        streams = [
            {"mid": str(n), "type": kind, "feed_id": s["feed"], "feed_mid": s["mid"]}
            for n, (s, kind) in enumerate(zip(body["streams"], ["audio", "video"], strict=True))
        ]
        return {"videoroom": "attached", "streams": streams}, {"type": "offer", "sdp": f"{self.id}"}

    async def detach(self) -> None:
        self.detached = True


class FakeSession:
    def __init__(self) -> None:
        self.handles: list[FakeHandle] = []

    async def attach(self) -> FakeHandle:
        handle = FakeHandle(100 + len(self.handles))
        self.handles.append(handle)
        return handle


async def entered(bridge: JanusGroupMedia, session: FakeSession) -> list[dict[str, Any]]:
    """A room with one publisher (audio and video); a viewer enters; its messages."""
    instance = SimpleNamespace(session=session, up=True, name="janus-0")
    room = VideoRoom(SPACE, capacity=10, room_id=42, instance=cast(Any, instance))
    room.ready.set()
    room.feeds[7] = Feed(
        "publisher", 7, [{"mid": "0", "type": "audio"}, {"mid": "1", "type": "video"}]
    )
    room.loudness.publishing(7, "publisher")  # one of the voices the viewer hears
    bridge._rooms[SPACE] = room
    sent: list[dict[str, Any]] = []
    await bridge.enter(SPACE, "viewer", publishes=False, capacity=10, send=sent.append)
    await asyncio.gather(*bridge._tasks)
    return sent


def bridge() -> JanusGroupMedia:
    pool = SimpleNamespace(on_down=None, on_up=None, release=lambda _key: None)
    return JanusGroupMedia(cast(Any, pool))


async def test_the_first_offer_is_prepared_on_entering_and_leaves_when_the_browser_asks() -> None:
    sfu, session = bridge(), FakeSession()
    sent = await entered(sfu, session)
    [prepared] = session.handles
    assert [r["request"] for r in prepared.requests] == ["join"]
    assert prepared.requests[0]["streams"] == [{"feed": 7, "mid": "0"}, {"feed": 7, "mid": "1"}]
    assert sent == [], "nothing goes to the browser before it asks"

    await sfu.resubscribe("viewer")
    assert session.handles == [prepared], "no second subscriber in Janus"
    [offer] = sent
    assert offer["type"] == "sfu-offer"
    assert offer["subscription"] == prepared.id
    assert offer["description"] == {"type": "offer", "sdp": str(prepared.id)}
    assert [s["participantId"] for s in offer["streams"]] == ["publisher", "publisher"]

    await sfu.answer("viewer", {"type": "answer", "sdp": "answer"}, prepared.id)
    assert [r["request"] for r in prepared.requests] == ["join", "start"]


async def test_a_prepared_offer_janus_changed_meanwhile_gives_way_to_a_fresh_one() -> None:
    sfu, session = bridge(), FakeSession()
    sent = await entered(sfu, session)
    [prepared] = session.handles
    prepared.on_event({"plugindata": {"data": {"videoroom": "updated"}}})  # Janus renegotiated

    await sfu.resubscribe("viewer")
    assert prepared.detached
    assert len(session.handles) == 2
    [offer] = sent
    assert offer["subscription"] == session.handles[1].id


async def test_a_member_who_leaves_takes_its_prepared_subscriber_along() -> None:
    sfu, session = bridge(), FakeSession()
    await entered(sfu, session)
    await sfu.leave("viewer")
    assert [handle.detached for handle in session.handles] == [True]
