"""The group-room (SFU) messages of the signaling protocol: their parsing, for `protocol.parse`
(the commands they become are `salon.rooms.commands`; `protocol` re-exports them). Pure.

    sfu-publish {description: offer, screenMid?, restart?}    sfu-answer {description: answer}
    sfu-candidate {target: publisher|subscriber, candidate}    sfu-subscribe {}
    sfu-quality {participantId, substream: 0|1|2}
    sfu-view {videos: [{participantId, kind: camera|screen, substream: 0|1|2}], pinned?: [id]}
    sfu-publish-rtp {}    (a plain-RTP publisher, where the server allows them)
"""

import json
from collections.abc import Callable
from typing import Any

from salon.ids import ParticipantId
from salon.rooms.commands import GroupMediaCommand as SfuMessage
from salon.rooms.commands import (
    SfuAnswer,
    SfuCandidate,
    SfuPublish,
    SfuPublishRtp,
    SfuQuality,
    SfuSubscribe,
    SfuView,
)
from salon.rooms.sdp import has_forbidden_characters

SDP_MAX = 60_000
_ID_MAX = 64
_MID_MAX = 16

Bad = Callable[[str], Exception]
"""Makes the protocol's `bad_field` error for a message."""


VIEW_MAX_VIDEOS = 49
"""A page of 25 tiles, the stage and room to spare; more is refused."""
VIEW_MAX_PINNED = 10


def _description(data: dict[str, Any], kind: str, bad: Bad) -> dict[str, str]:
    description = data.get("description")
    sdp = description.get("sdp") if isinstance(description, dict) else None
    if (
        not isinstance(description, dict)
        or description.get("type") != kind
        or not isinstance(sdp, str)
        or not sdp
        or len(sdp) > SDP_MAX
        or not sdp.isascii()  # SDP is ASCII text: this also keeps lone surrogates out
    ):
        raise bad(f"description must be {{type: {kind}, sdp}}")
    if has_forbidden_characters(sdp):
        raise bad("sdp must not hold control characters other than CRLF line ends")
    return {"type": kind, "sdp": sdp}


def _publish(data: dict[str, Any], bad: Bad) -> SfuPublish:
    restart = data.get("restart", False)
    if not isinstance(restart, bool):
        raise bad("restart must be true or false")
    screen_mid = data.get("screenMid")
    if screen_mid is not None and (not isinstance(screen_mid, str) or len(screen_mid) > _MID_MAX):
        raise bad(f"screenMid must be a mid of at most {_MID_MAX} characters, or null")
    return SfuPublish(
        _description(data, "offer", bad), screen_mid, restart, _number(data, "publication", bad)
    )


def _number(data: dict[str, Any], name: str, bad: Bad) -> int | None:
    value = data.get(name)
    if value is not None and (type(value) is not int or not 0 <= value < 2**53):
        raise bad(f"{name} must be a whole number")
    return value


def _candidate(data: dict[str, Any], bad: Bad) -> SfuCandidate:
    target = data.get("target")
    if target not in ("publisher", "subscriber"):
        raise bad("target must be publisher or subscriber")
    candidate = data.get("candidate")
    if candidate is not None and (
        not isinstance(candidate, dict)
        or not isinstance(candidate.get("candidate", ""), str)
        or len(json.dumps(candidate)) > 2000
    ):
        raise bad("candidate must be an RTCIceCandidateInit object or null")
    return SfuCandidate(target, candidate)


def _quality(data: dict[str, Any], bad: Bad) -> SfuQuality:
    participant = data.get("participantId")
    if not isinstance(participant, str) or not 0 < len(participant) <= _ID_MAX:
        raise bad("participantId is required")
    substream = data.get("substream")
    if type(substream) is not int or not 0 <= substream <= 2:
        raise bad("substream must be 0, 1 or 2")
    return SfuQuality(ParticipantId(participant), substream)


def _participant(value: object, bad: Bad, what: str) -> ParticipantId:
    if not isinstance(value, str) or not 0 < len(value) <= _ID_MAX:
        raise bad(f"{what} must be a participant id")
    return ParticipantId(value)


def _view(data: dict[str, Any], bad: Bad) -> SfuView:
    videos, pinned = data.get("videos"), data.get("pinned", [])
    if not isinstance(videos, list) or len(videos) > VIEW_MAX_VIDEOS:
        raise bad(f"videos must be a list of at most {VIEW_MAX_VIDEOS} videos")
    if not isinstance(pinned, list) or len(pinned) > VIEW_MAX_PINNED:
        raise bad(f"pinned must be a list of at most {VIEW_MAX_PINNED} participant ids")
    shown = []
    for video in videos:
        if not isinstance(video, dict):
            raise bad("each video must be {participantId, kind, substream}")
        kind, substream = video.get("kind", "camera"), video.get("substream", 0)
        if kind not in ("camera", "screen"):
            raise bad("kind must be camera or screen")
        if type(substream) is not int or not 0 <= substream <= 2:
            raise bad("substream must be 0, 1 or 2")
        participant = _participant(video.get("participantId"), bad, "participantId")
        shown.append((participant, kind, substream))
    return SfuView(
        tuple(dict.fromkeys(shown)),
        tuple(dict.fromkeys(_participant(p, bad, "each pinned entry") for p in pinned)),
    )


def parse_sfu(kind: str, data: dict[str, Any], bad: Bad) -> SfuMessage:
    """One `sfu-*` message of type `kind` from its decoded frame."""
    match kind:
        case "sfu-publish":
            return _publish(data, bad)
        case "sfu-answer":
            return SfuAnswer(_description(data, "answer", bad), _number(data, "subscription", bad))
        case "sfu-candidate":
            return _candidate(data, bad)
        case "sfu-quality":
            return _quality(data, bad)
        case "sfu-view":
            return _view(data, bad)
        case "sfu-publish-rtp":
            return SfuPublishRtp()
    return SfuSubscribe()
