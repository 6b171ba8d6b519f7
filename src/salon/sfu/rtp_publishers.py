"""Publishers whose media comes as plain RTP rather than WebRTC (Janus's remote publishers): a
load rig's cheap senders, a gateway, a cascaded SFU. Off unless `--sfu-rtp-publishers`.

    sfu-publish-rtp ──► add_remote_publisher (feed id chosen here, display = participant) ──►
        Janus opens one UDP port for all the feed's streams ──► `sfu-rtp-published` tells where
        and how to send: SSRC 1000 + 10 × m-index (Janus tells the streams apart by SSRC),
        Opus as payload type 111 and VP8 as 96, the audio level in header extension 1
    Janus announces the feed like any other ──► members subscribe to it as they would to a browser's

Janus 1.1 takes packets from anyone who knows the port; keep this for trusted senders.
"""

from typing import Any, Protocol


class JanusRoom(Protocol):
    """The VideoRoom the publisher goes into (`sfu/model.py`'s `VideoRoom`)."""

    @property
    def room_id(self) -> int: ...

    @property
    def secret(self) -> str: ...


BASE_SSRC = 1000
SSRC_STEP = 10
AUDIO_LEVEL_EXTENSION = 1
STREAMS: tuple[dict[str, Any], ...] = (
    {
        "type": "audio",
        "mid": "0",
        "mindex": 0,
        "codec": "opus",
        "audiolevel_ext_id": AUDIO_LEVEL_EXTENSION,
    },
    {"type": "video", "mid": "1", "mindex": 1, "codec": "vp8"},
)
PAYLOAD_TYPES = {"audio": 111, "video": 96}
"""Janus's payload types for Opus and VP8: what it offers subscribers for these streams."""


def add_request(room: JanusRoom, feed_id: int, participant_id: str) -> dict[str, Any]:
    return {
        "request": "add_remote_publisher",
        "room": room.room_id,
        "secret": room.secret,
        "id": feed_id,
        "display": participant_id,
        "streams": [dict(stream) for stream in STREAMS],
    }


def remove_request(room: JanusRoom, feed_id: int) -> dict[str, Any]:
    return {
        "request": "remove_remote_publisher",
        "room": room.room_id,
        "secret": room.secret,
        "id": feed_id,
    }


def published(answer: dict[str, Any]) -> dict[str, Any]:
    """The `sfu-rtp-published` message from Janus's answer: where and how to send."""
    return {
        "type": "sfu-rtp-published",
        "ip": answer.get("ip") or None,
        "port": answer.get("port"),
        "rtcpPort": answer.get("rtcp_port"),
        "streams": [
            {
                "media": stream["type"],
                "ssrc": BASE_SSRC + index * SSRC_STEP,
                "payloadType": PAYLOAD_TYPES[str(stream["type"])],
                **(
                    {"audioLevelExtension": AUDIO_LEVEL_EXTENSION}
                    if stream["type"] == "audio"
                    else {}
                ),
            }
            for index, stream in enumerate(STREAMS)
        ],
    }
