"""The SFU messages of the signaling protocol (group rooms): what parses, and the exact refusal
for what does not."""

import json
from typing import Any

import pytest

from salon.ids import ParticipantId
from salon.rooms.errors import RoomErrorCode
from salon.signaling import protocol as p

OFFER = {"type": "offer", "sdp": "v=0\r\n"}


def parse(**frame: Any) -> p.ClientMessage:
    return p.parse(json.dumps(frame))


def test_sfu_messages_parse() -> None:
    assert parse(
        type="sfu-publish", description=OFFER, screenMid="2", restart=True, publication=3
    ) == p.SfuPublish(OFFER, "2", True, 3)
    assert parse(type="sfu-publish", description=OFFER) == p.SfuPublish(OFFER, None, False)
    assert parse(type="sfu-answer", description={"type": "answer", "sdp": "v=0"}) == (
        p.SfuAnswer({"type": "answer", "sdp": "v=0"})
    )
    assert parse(
        type="sfu-answer", description={"type": "answer", "sdp": "v=0"}, subscription=9
    ) == p.SfuAnswer({"type": "answer", "sdp": "v=0"}, 9)
    candidate = {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host", "sdpMid": "0"}
    assert parse(type="sfu-candidate", target="publisher", candidate=candidate) == (
        p.SfuCandidate("publisher", candidate)
    )
    assert parse(type="sfu-candidate", target="subscriber", candidate=None) == (
        p.SfuCandidate("subscriber", None)
    )
    assert parse(type="sfu-subscribe") == p.SfuSubscribe()
    assert parse(type="sfu-quality", participantId="x", substream=2) == (
        p.SfuQuality(ParticipantId("x"), 2)
    )
    assert p.wire_type(p.SfuSubscribe()) == "sfu-subscribe"


def test_sfu_view_parses_with_duplicates_dropped() -> None:
    video = {"participantId": "a", "kind": "camera", "substream": 1}
    screen = {"participantId": "b", "kind": "screen", "substream": 2}
    assert parse(type="sfu-view", videos=[video, screen, video], pinned=["c", "c"]) == p.SfuView(
        ((ParticipantId("a"), "camera", 1), (ParticipantId("b"), "screen", 2)),
        (ParticipantId("c"),),
    )
    assert parse(type="sfu-view", videos=[]) == p.SfuView(())
    assert p.wire_type(p.SfuView(())) == "sfu-view"


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"type": "sfu-publish"}, "description must be {type: offer, sdp}"),
        ({"type": "sfu-publish", "description": {"type": "answer", "sdp": "v=0"}},
         "description must be {type: offer, sdp}"),
        ({"type": "sfu-publish", "description": {"type": "offer", "sdp": ""}},
         "description must be {type: offer, sdp}"),
        ({"type": "sfu-publish", "description": OFFER, "restart": "yes"},
         "restart must be true or false"),
        ({"type": "sfu-answer", "description": OFFER}, "description must be {type: answer, sdp}"),
        ({"type": "sfu-candidate", "target": "both", "candidate": None},
         "target must be publisher or subscriber"),
        ({"type": "sfu-candidate", "target": "publisher", "candidate": "x"},
         "candidate must be an RTCIceCandidateInit object or null"),
        ({"type": "sfu-quality", "participantId": "x", "substream": 3},
         "substream must be 0, 1 or 2"),
        ({"type": "sfu-answer", "description": {"type": "answer", "sdp": "v"}, "subscription": "1"},
         "subscription must be a whole number"),
        ({"type": "sfu-publish", "description": OFFER, "screenMid": 2},
         "screenMid must be a mid of at most 16 characters, or null"),
        ({"type": "sfu-quality", "participantId": "x", "substream": True},
         "substream must be 0, 1 or 2"),
        ({"type": "sfu-publish", "description": {"type": "offer", "sdp": "x" * (p.SDP_MAX + 1)}},
         "description must be {type: offer, sdp}"),
        ({"type": "sfu-view"}, "videos must be a list of at most 49 videos"),
        ({"type": "sfu-view", "videos": [{"participantId": "a"}] * 50},
         "videos must be a list of at most 49 videos"),
        ({"type": "sfu-view", "videos": ["a"]},
         "each video must be {participantId, kind, substream}"),
        ({"type": "sfu-view", "videos": [{"participantId": ""}]},
         "participantId must be a participant id"),
        ({"type": "sfu-view", "videos": [{"participantId": "a", "kind": "mic"}]},
         "kind must be camera or screen"),
        ({"type": "sfu-view", "videos": [{"participantId": "a", "substream": 3}]},
         "substream must be 0, 1 or 2"),
        ({"type": "sfu-view", "videos": [], "pinned": "a"},
         "pinned must be a list of at most 10 participant ids"),
        ({"type": "sfu-view", "videos": [], "pinned": [7]},
         "each pinned entry must be a participant id"),
    ],
)  # fmt: skip
def test_malformed_sfu_messages_are_refused_with_bad_field(
    frame: dict[str, Any], message: str
) -> None:
    with pytest.raises(p.ProtocolError) as refused:
        p.parse(json.dumps(frame))
    assert (refused.value.code, refused.value.message, refused.value.about) == (
        RoomErrorCode.BAD_FIELD,
        message,
        frame["type"],
    )
