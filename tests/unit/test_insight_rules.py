"""The pure rules of insights: the samples' encoding, activity events, minutes, sorts, and the
`stats` message's parsing."""

import pytest

from salon.errors import InvalidInput
from salon.insights.model import (
    EventType,
    QualitySample,
    activity_events,
    decode_samples,
    encode_samples,
    minutes_rounded_up,
    parse_sort,
)
from salon.rooms.errors import RoomErrorCode
from salon.signaling import protocol as p
from salon.signaling.stats_messages import Stats

ON = QualitySample(1.25, 0.5, 812_000, 640_000, True, True, False)
SCREEN = QualitySample(0.0, 0.0, 1, 2, False, False, True)


def test_samples_survive_their_encoding() -> None:
    text = encode_samples([(1000, ON), (3000, SCREEN)])
    assert text == "1000,125,50,812000,640000,3;3000,0,0,1,2,4"
    assert decode_samples(text) == [(1000, ON), (3000, SCREEN)]
    assert decode_samples("") == []


def test_events_follow_the_changes_of_the_samples() -> None:
    events = activity_events(500, 9000, [(1000, ON), (3000, ON), (5000, SCREEN)])
    assert events == [
        (EventType.JOINED, 500),
        (EventType.MICROPHONE_ON, 1000),
        (EventType.CAMERA_ON, 1000),
        (EventType.MICROPHONE_OFF, 5000),
        (EventType.CAMERA_OFF, 5000),
        (EventType.SCREENSHARE_STARTED, 5000),
        (EventType.LEFT, 9000),
    ]
    assert activity_events(0, None, []) == [(EventType.JOINED, 0)]


@pytest.mark.parametrize(("ms", "minutes"), [(0, 0), (1, 1), (60_000, 1), (60_001, 2), (-5, 0)])
def test_minutes_are_rounded_up_per_connection(ms: int, minutes: int) -> None:
    assert minutes_rounded_up(ms) == minutes


def test_sorts() -> None:
    assert parse_sort(None, ("a", "b"), "b:desc") == ("b", True)
    assert parse_sort("a", ("a", "b"), "b:desc") == ("a", False)
    assert parse_sort("a:asc", ("a", "b"), "b:desc") == ("a", False)
    for bad in ("c:asc", "a:down", "a:asc:x"):
        with pytest.raises(InvalidInput):
            parse_sort(bad, ("a", "b"), "b:desc")


def test_a_stats_frame_parses_into_a_sample() -> None:
    frame = (
        '{"type":"stats","packetLossSend":1.25,"packetLossRecv":0.5,"bitrateSend":812000,'
        '"bitrateRecv":640000,"audio":true,"video":true}'
    )
    assert p.parse(frame) == Stats(ON)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("", "packetLossSend must be a number from 0 to 100"),
        ('"packetLossSend":-1,', "packetLossSend must be a number from 0 to 100"),
        ('"packetLossSend":true,', "packetLossSend must be a number from 0 to 100"),
        ('"packetLossSend":0,"packetLossRecv":"1",',
         "packetLossRecv must be a number from 0 to 100"),
        ('"packetLossSend":0,"packetLossRecv":0,"bitrateSend":1e11,',
         "bitrateSend must be a number from 0 to 10000000000"),
        ('"packetLossSend":0,"packetLossRecv":0,"bitrateSend":1,"bitrateRecv":1,"audio":1,',
         "audio must be true or false"),
    ],
)  # fmt: skip
def test_a_bad_stats_frame_names_its_field(fields: str, message: str) -> None:
    with pytest.raises(p.ProtocolError) as refused:
        p.parse("{" + fields + '"type":"stats"}')
    assert (refused.value.code, refused.value.message) == (RoomErrorCode.BAD_FIELD, message)
