"""The signaling protocol, sans I/O (docs/signaling-protocol.md): parsing every client message,
good and bad, with the exact error code, message and `about`; encoding; the viewer SDP rule;
display names; and the per-connection token bucket."""

import json
from typing import Any

import pytest

from salon.ids import ParticipantId, RoomName
from salon.rooms.commands import (
    Admit,
    CameraOff,
    EndMeeting,
    Hold,
    Lock,
    Mute,
    Reject,
    Remove,
    Spotlight,
)
from salon.rooms.errors import RoomErrorCode
from salon.rooms.notices import ChatMessage
from salon.signaling import messages
from salon.signaling import protocol as p
from salon.signaling.messages import ErrorMessage

PID = "3f1c2a9e-0000-4000-8000-000000000001"
OFFER = {"type": "offer", "sdp": "v=0\r\n"}


def frame(**fields: Any) -> str:
    return json.dumps(fields)


def refused(raw: str | bytes) -> tuple[str, str, str | None]:
    with pytest.raises(p.ProtocolError) as caught:
        p.parse(raw)
    return caught.value.code.value, caught.value.message, caught.value.about


# --- good messages: every type ---------------------------------------------------------------

GOOD: list[tuple[dict[str, Any], p.ClientMessage]] = [
    (
        {"type": "join", "v": 1, "room": "/r"},
        p.Join(RoomName("/r"), None, None, None, None, None),
    ),
    (
        {
            "type": "join",
            "v": 1,
            "room": "/team-1",
            "roomKey": "k.k",
            "displayName": " Ana ",
            "externalId": "user_9-X",
            "metadata": "{}",
            "resume": {"participantId": PID, "token": "t"},
            "later": "ignored",
        },
        p.Join(
            RoomName("/team-1"), "k.k", "Ana", "user_9-X", "{}", p.Resume(ParticipantId(PID), "t")
        ),
    ),
    ({"type": "knock"}, p.Knock(None)),
    ({"type": "knock", "displayName": "  Bo\t"}, p.Knock("Bo")),
    ({"type": "cancel-knock"}, p.CancelKnock()),
    ({"type": "leave"}, p.Leave()),
    (
        {"type": "signal", "to": PID, "description": {**OFFER, "extra": 1}},
        p.Signal(ParticipantId(PID), {"description": OFFER}),
    ),
    (
        {"type": "signal", "to": PID, "description": {"type": "rollback"}},
        p.Signal(ParticipantId(PID), {"description": {"type": "rollback", "sdp": ""}}),
    ),
    (
        {"type": "signal", "to": PID, "candidate": {"candidate": "c", "sdpMLineIndex": 0}},
        p.Signal(ParticipantId(PID), {"candidate": {"candidate": "c", "sdpMLineIndex": 0}}),
    ),
    (
        {"type": "signal", "to": PID, "candidate": None},
        p.Signal(ParticipantId(PID), {"candidate": None}),
    ),
    (
        {"type": "media", "audio": True, "video": False, "screen": True},
        p.MediaState(True, False, True),
    ),
    ({"type": "chat", "text": " hi <b> "}, p.Chat(" hi <b> ")),
    ({"type": "chat", "text": "x" * p.CHAT_MAX}, p.Chat("x" * p.CHAT_MAX)),
    ({"type": "set-name", "displayName": " Zoë "}, p.SetName("Zoë")),
    ({"type": "lock", "locked": True}, Lock(True)),
    ({"type": "lock", "locked": False}, Lock(False)),
    ({"type": "admit", "participantId": PID}, Admit(ParticipantId(PID))),
    ({"type": "reject", "participantId": PID}, Reject(ParticipantId(PID), None)),
    ({"type": "reject", "participantId": PID, "message": "no"}, Reject(ParticipantId(PID), "no")),
    ({"type": "hold", "participantId": PID, "message": "wait"}, Hold(ParticipantId(PID), "wait")),
    ({"type": "remove", "participantId": PID}, Remove(ParticipantId(PID))),
    ({"type": "mute", "participantId": PID}, Mute(ParticipantId(PID))),
    ({"type": "camera-off", "participantId": PID}, CameraOff(ParticipantId(PID))),
    ({"type": "spotlight", "participantId": PID}, Spotlight(ParticipantId(PID))),
    ({"type": "spotlight", "participantId": None}, Spotlight(None)),
    ({"type": "spotlight"}, Spotlight(None)),
    ({"type": "end-meeting"}, EndMeeting()),
    ({"type": "ping"}, p.Ping(None)),
    ({"type": "ping", "id": "a-1"}, p.Ping("a-1")),
    ({"type": "ping", "id": 7}, p.Ping(7)),
]


@pytest.mark.parametrize(("fields", "expected"), GOOD, ids=[f["type"] for f, _ in GOOD])
def test_parse_each_good_message(fields: dict[str, Any], expected: p.ClientMessage) -> None:
    parsed = p.parse(json.dumps(fields))
    assert parsed == expected
    assert p.wire_type(parsed) == fields["type"]


def test_parse_accepts_utf8_bytes() -> None:
    assert p.parse('{"type":"chat","text":"héllo"}'.encode()) == p.Chat("héllo")


def test_every_client_message_type_has_a_wire_type() -> None:
    assert {f["type"] for f, _ in GOOD} == {
        "join",
        "knock",
        "cancel-knock",
        "leave",
        "signal",
        "media",
        "chat",
        "set-name",
        "lock",
        "admit",
        "reject",
        "hold",
        "remove",
        "mute",
        "camera-off",
        "spotlight",
        "end-meeting",
        "ping",
    }


# --- frames that are not messages ----------------------------------------------------------------

NOT_JSON = ("a frame must be one JSON object", None)
NO_TYPE = ("a frame must be a JSON object with a type", None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", NOT_JSON),
        ("", NOT_JSON),
        ('{"type": "chat"', NOT_JSON),
        (b"\xff\xfe\xfa", NOT_JSON),
        ("[]", NO_TYPE),
        ("1", NO_TYPE),
        ('"join"', NO_TYPE),
        ("null", NO_TYPE),
        ("{}", NO_TYPE),
        ('{"type": 1}', NO_TYPE),
        ('{"type": null}', NO_TYPE),
        ('{"type": ["join"]}', NO_TYPE),
    ],
)
def test_bad_frames(raw: str | bytes, message: tuple[str, None]) -> None:
    assert refused(raw) == ("bad_frame", *message)


def test_unknown_type_names_it_shortened() -> None:
    assert refused(frame(type="dance")) == ("unknown_type", "unknown message type 'dance'", "dance")
    long = "x" * 100
    assert refused(frame(type=long)) == (
        "unknown_type",
        f"unknown message type {'x' * 40!r}",
        "x" * 40,
    )


# --- bad fields ---------------------------------------------------------------------------------


def join(**fields: Any) -> str:
    return frame(type="join", **{"v": 1, "room": "/r", **fields})


NAME_RULE = "displayName must be 1-100 characters, without control characters"
DESC_RULE = "description must be {type: offer|answer|pranswer|rollback, sdp}"
CAND_RULE = "candidate must be an RTCIceCandidateInit object or null"
EXT_RULE = "externalId may hold only A-Z, a-z, 0-9, _ and -, at most 36"


def signal(**fields: Any) -> str:
    return frame(type="signal", to=PID, **fields)


@pytest.mark.parametrize("version", [None, 0, 2, "1", [1], True, False])
def test_join_with_another_version_is_unsupported(version: object) -> None:
    raw = join(v=version) if version is not None else frame(type="join", room="/r")
    assert refused(raw) == (
        "unsupported_version",
        "this server speaks version 1 of the protocol",
        "join",
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (frame(type="join", v=1), "room is required"),
        (join(room=None), "room is required"),
        (join(room=5), "room must be a string"),
        (join(room="r"), "room must be a room name starting with /"),
        (join(room="/" + "r" * 200), "room must be at most 200 characters"),
        (join(roomKey=5), "roomKey must be a string"),
        (join(roomKey="k" * 2001), "roomKey must be at most 2000 characters"),
        (join(displayName=""), NAME_RULE),
        (join(displayName=" \t "), NAME_RULE),
        (join(displayName="a" * 101), NAME_RULE),
        (join(displayName="a" * 1001), "displayName must be at most 1000 characters"),
        (join(displayName=["Ana"]), "displayName must be a string"),
        (join(externalId="a b"), EXT_RULE),
        (join(externalId=""), EXT_RULE),
        (join(externalId="é"), EXT_RULE),
        (join(externalId="a" * 37), "externalId must be at most 36 characters"),
        (join(metadata="m" * 513), "metadata must be at most 512 characters"),
        (join(metadata={"a": 1}), "metadata must be a string"),
        (join(resume="token"), "resume must be an object"),
        (join(resume={"participantId": PID}), "token is required"),
        (join(resume={"token": "t"}), "participantId is required"),
        (
            join(resume={"participantId": "p" * 65, "token": "t"}),
            "participantId must be at most 64 characters",
        ),
        (
            join(resume={"participantId": PID, "token": "t" * 201}),
            "token must be at most 200 characters",
        ),
        (frame(type="knock", displayName="\x07bell"), NAME_RULE),
        (frame(type="signal", description=OFFER), "to is required"),
        (frame(type="signal", to=5, description=OFFER), "to must be a string"),
        (signal(), "signal needs a description or a candidate"),
        (signal(description="v=0"), DESC_RULE),
        (signal(description=None), DESC_RULE),
        (signal(description={"type": "bogus", "sdp": ""}), DESC_RULE),
        (signal(description={"type": "offer", "sdp": 5}), DESC_RULE),
        (signal(description={"type": "offer", "sdp": "s" * 60_001}), DESC_RULE),
        (signal(candidate="candidate:1"), CAND_RULE),
        (signal(candidate={"candidate": 5}), CAND_RULE),
        (signal(candidate={"candidate": "c" * 2000}), CAND_RULE),
        (frame(type="media", audio=True, video=False), "screen must be true or false"),
        (frame(type="media", audio=1, video=False, screen=False), "audio must be true or false"),
        (frame(type="media", audio=True, video="no", screen=False), "video must be true or false"),
        (frame(type="chat"), "text is required"),
        (frame(type="chat", text=5), "text must be a string"),
        (frame(type="chat", text=""), "text must not be empty"),
        (frame(type="chat", text=" \n "), "text must not be empty"),
        (frame(type="chat", text="x" * 4001), "text must be at most 4000 characters"),
        (frame(type="set-name"), "displayName is required"),
        (frame(type="set-name", displayName="  "), NAME_RULE),
        (frame(type="lock"), "locked must be true or false"),
        (frame(type="lock", locked="true"), "locked must be true or false"),
        (frame(type="admit"), "participantId is required"),
        (frame(type="remove", participantId=5), "participantId must be a string"),
        (frame(type="mute", participantId="p" * 65), "participantId must be at most 64 characters"),
        (frame(type="camera-off"), "participantId is required"),
        (
            frame(type="reject", participantId=PID, message="m" * 501),
            "message must be at most 500 characters",
        ),
        (frame(type="hold", participantId=PID), "message is required"),
        (frame(type="hold", message="wait"), "participantId is required"),
        (frame(type="spotlight", participantId=5), "participantId must be a string"),
        (frame(type="ping", id=True), "id must be a string or a number"),
        (frame(type="ping", id=1.5), "id must be a string or a number"),
        (frame(type="ping", id={"a": 1}), "id must be a string or a number"),
        (frame(type="ping", id="i" * 65), "id must be at most 64 characters"),
    ],
)
def test_bad_fields_name_the_field_and_the_type(raw: str, message: str) -> None:
    assert refused(raw) == ("bad_field", message, json.loads(raw)["type"])


def test_the_largest_allowed_fields_pass() -> None:
    parsed = p.parse(
        join(
            room="/" + "r" * 199,
            roomKey="k" * 2000,
            displayName="n" * 100,
            externalId="e" * 36,
            metadata="m" * 512,
        )
    )
    assert isinstance(parsed, p.Join)
    assert parsed.display_name == "n" * 100
    biggest = {"type": "offer", "sdp": "s" * p.SDP_MAX}
    assert p.parse(signal(description=biggest)) == p.Signal(
        ParticipantId(PID), {"description": biggest}
    )


# --- display names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, None),
        ("Ana", "Ana"),
        ("  Ana Lopez \n", "Ana Lopez"),
        ("李雷", "李雷"),
        ("Zoë 🎉", "Zoë 🎉"),
        ('<img src=x onerror="alert(1)">', '<img src=x onerror="alert(1)">'),
        ("x" * 100, "x" * 100),
        (" " * 50 + "x" * 100 + " " * 50, "x" * 100),
        # The doc refuses control characters only: format characters and spaces are text.
        ("👩\u200d💻 Ana", "👩\u200d💻 Ana"),  # a zero-width joiner inside an emoji
        ("Jean\u00a0Dupont", "Jean\u00a0Dupont"),  # a no-break space
    ],
)
def test_display_name_is_trimmed_and_kept(given: str | None, kept: str | None) -> None:
    assert p.display_name(given, "join") == kept


@pytest.mark.parametrize(
    "given", ["", "   ", "x" * 101, "a\x00b", "a\nb", "a\tb", "bell\x07", "del\x7f", "c1\x85x"]
)
def test_display_name_refusals(given: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.display_name(given, "set-name")
    assert (caught.value.code, caught.value.message, caught.value.about) == (
        RoomErrorCode.BAD_FIELD,
        NAME_RULE,
        "set-name",
    )


# --- encoding ---------------------------------------------------------------------------------


def test_encode_is_compact_utf8_json_without_escaping_markup() -> None:
    message = ChatMessage("c1", ParticipantId("p1"), "A", 'é <b>"x"</b> \\ 🎉', 1)
    encoded = messages.encode(message)
    assert encoded.type == "chat"
    assert encoded.text == (
        '{"type":"chat","id":"c1","from":"p1","displayName":"A",'
        '"text":"é <b>\\"x\\"</b> \\\\ 🎉","at":1}'
    )
    assert json.loads(encoded.text)["text"] == message.text


def test_error_bodies() -> None:
    assert messages.wire(ErrorMessage(RoomErrorCode.NOT_ALLOWED, "no", "lock")) == {
        "type": "error",
        "code": "not_allowed",
        "message": "no",
        "about": "lock",
    }
    assert messages.wire(ErrorMessage(RoomErrorCode.BAD_FRAME, "bad")) == {
        "type": "error",
        "code": "bad_frame",
        "message": "bad",
    }
