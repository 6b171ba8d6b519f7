"""Plain-RTP publishers: what Janus is asked for, and what the sender is told (SSRC by m-index,
payload types, the audio level extension)."""

from types import SimpleNamespace
from typing import Any, cast

from salon.sfu.rtp_publishers import add_request, published, remove_request


def test_the_request_names_the_feed_the_participant_and_both_streams() -> None:
    room = cast(Any, SimpleNamespace(room_id=7, secret="s"))
    request = add_request(room, 42, "pid")
    assert {k: request[k] for k in ("request", "room", "secret", "id", "display")} == {
        "request": "add_remote_publisher", "room": 7, "secret": "s", "id": 42, "display": "pid",
    }  # fmt: skip
    assert [(s["type"], s["mid"], s["mindex"], s["codec"]) for s in request["streams"]] == [
        ("audio", "0", 0, "opus"),
        ("video", "1", 1, "vp8"),
    ]
    assert remove_request(room, 42) == {
        "request": "remove_remote_publisher", "room": 7, "secret": "s", "id": 42,
    }  # fmt: skip


def test_the_sender_learns_port_ssrcs_payload_types_and_the_level_extension() -> None:
    assert published({"videoroom": "success", "port": 10000, "rtcp_port": 10001}) == {
        "type": "sfu-rtp-published",
        "ip": None,
        "port": 10000,
        "rtcpPort": 10001,
        "streams": [
            {"media": "audio", "ssrc": 1000, "payloadType": 111, "audioLevelExtension": 1},
            {"media": "video", "ssrc": 1010, "payloadType": 96},
        ],
    }
