"""What a room tells the people in it: typed notices, and how the room closes a connection. Pure.

    Room / RoomService ──notice──► encode (the signaling layer's, injected) ──► Frame ──► Client

A room never builds a wire message: `salon.signaling.messages` turns each notice into its frame,
once per fan-out however many receive it. `Client` is whatever carries frames to one participant
(a WebSocket connection today, a test double in tests); `send` never waits.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from salon.ids import ParticipantId, RoomName
from salon.meetings.model import RoomMode, RoomRole
from salon.recording.options import RecordingType
from salon.rooms.state import Knocker, Participant

# --- the room as everyone sees it ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakoutView:
    groups: tuple[str, ...]
    assignments: dict[ParticipantId, int]
    allow_choose: bool


@dataclass(frozen=True, slots=True)
class RoomView:
    name: RoomName
    mode: RoomMode
    locked: bool
    spotlight: ParticipantId | None
    capacity: int
    breakout: BreakoutView | None
    timer_started_ms: int | None


class MediaPath(StrEnum):
    MESH = "mesh"
    """Browsers connect to one another."""
    GROUP = "sfu"
    """Browsers connect to the group media server."""


# --- notices --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Joined:
    """To the newcomer: they are in, and on record."""

    participant_id: ParticipantId
    resume_token: str
    role: RoomRole
    room: RoomView
    participants: Sequence[Participant]
    knocks: Sequence[Knocker]
    ice_servers: list[dict[str, Any]]
    media: MediaPath
    recording: RecordingType = RecordingType.NONE
    """What the room's hosts may record (the page shows hosts a Record button)."""
    streaming: bool = False
    """Whether the room's hosts may stream it live (the page shows hosts a Go live button)."""
    live_transcription: bool = False
    """The meeting may be transcribed live (the page shows hosts a Captions button)."""


@dataclass(frozen=True, slots=True)
class ParticipantJoined:
    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantUpdated:
    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantLeft:
    participant_id: ParticipantId
    reason: str


@dataclass(frozen=True, slots=True)
class RoomUpdated:
    """The room's lock, spotlight, breakout groups or clock changed."""

    room: RoomView


@dataclass(frozen=True, slots=True)
class RoomLocked:
    """To someone at the door: the room is locked; they may knock."""

    name: RoomName


@dataclass(frozen=True, slots=True)
class RoomFull:
    capacity: int
    viewer: bool = False
    """The cap met is a group room's viewers'."""


@dataclass(frozen=True, slots=True)
class Removed:
    """The room put them out (`reason`: a leave reason, or `replaced` by a resumed connection)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Pong:
    id: str | int | None


@dataclass(frozen=True, slots=True)
class Relayed:
    """A peer's signal (a description or a candidate), relayed as given once checked."""

    sender: ParticipantId
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    id: str
    sender: ParticipantId
    display_name: str
    text: str
    at_ms: int
    broadcast: bool = False
    """A host's message to every breakout group."""


@dataclass(frozen=True, slots=True)
class Knocking:
    """To a knocker: the hosts heard the knock."""


@dataclass(frozen=True, slots=True)
class KnockList:
    """To the hosts: the first knockers, and how many wait in all."""

    knockers: Sequence[Knocker]
    total: int


@dataclass(frozen=True, slots=True)
class KnockRejected:
    message: str | None


@dataclass(frozen=True, slots=True)
class KnockHeld:
    message: str


@dataclass(frozen=True, slots=True)
class Muted:
    by: ParticipantId


@dataclass(frozen=True, slots=True)
class CameraTurnedOff:
    by: ParticipantId


@dataclass(frozen=True, slots=True)
class MediaPublished:
    """Group media took the participant's publisher offer: its answer."""

    description: dict[str, Any]
    publication: int | None = None


@dataclass(frozen=True, slots=True)
class MediaMessage:
    """A message of the group media implementation to one participant, passed on as it is."""

    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordingStatus:
    recording: bool
    started_ms: int | None


@dataclass(frozen=True, slots=True)
class RecordingPrompt:
    """To a host: the meeting asks whether to start recording."""


@dataclass(frozen=True, slots=True)
class StreamingStatus:
    streaming: bool
    started_ms: int | None


@dataclass(frozen=True, slots=True)
class StreamingPrompt:
    """To a host: the meeting asks whether to start live streaming."""


@dataclass(frozen=True, slots=True)
class TranscriptionStatus:
    """Live transcription started (`started_ms`) or stopped; `captions`: shown in the room."""

    transcribing: bool
    started_ms: int | None
    captions: bool = True


@dataclass(frozen=True, slots=True)
class CaptionShown:
    """A speaker's words: the utterance so far (interim), or all of it (final)."""

    participant_id: ParticipantId
    display_name: str
    text: str
    final: bool
    start_ms: int
    end_ms: int


Notice = (
    Joined | ParticipantJoined | ParticipantUpdated | ParticipantLeft | RoomUpdated | RoomLocked
    | RoomFull | Removed | Pong | Relayed | ChatMessage | Knocking | KnockList | KnockRejected
    | KnockHeld | Muted | CameraTurnedOff | MediaPublished | MediaMessage | RecordingStatus
    | RecordingPrompt | StreamingStatus | StreamingPrompt | TranscriptionStatus | CaptionShown
)  # fmt: skip


# --- frames and clients ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """A notice encoded for the wire: `type` names it (metrics), `text` is what travels."""

    type: str
    text: str


Encoder = Callable[[Notice], Frame]


class Closing(StrEnum):
    """Why the room closes a connection; the signaling layer gives each its close code."""

    NORMAL = "normal"
    LEFT = "left"
    REMOVED = "removed"
    MEETING_ENDED = "meeting-ended"
    MEETING_OVER = "meeting-over"
    ROOM_FULL = "room-full"
    KNOCK_REJECTED = "knock-rejected"
    REPLACED = "replaced"
    SERVICE_RESTART = "service-restart"
    """The server is stopping, or the join could not be recorded: the page reconnects."""
    FLOODING = "flooding"
    PROTOCOL = "protocol"
    NO_SFU = "no-sfu"


class Client(Protocol):
    def send(self, frame: Frame) -> None:
        """Queue a frame; never blocks."""
        ...

    def close(self, closing: Closing, reason: str) -> None:
        """Close after the frames already queued."""
        ...
