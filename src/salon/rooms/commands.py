"""What a participant asks of a room: the commands `RoomService.join` and `RoomService.handle`
take. Pure. The signaling protocol parses its frames into these (`salon.signaling.protocol`);
rooms never see a frame.

    core        join, knock, cancel-knock, leave, signal, media, chat, set-name, ping
    host        lock, admit, reject, hold, remove, mute, camera-off, spotlight, end-meeting,
                timer, breakout-start / -assign / -broadcast / -end (breakout-choose: anyone)
    group media publish, answer, candidate, subscribe, quality, view, publish-rtp
    recording   start-recording, stop-recording
    streaming   start-streaming, stop-streaming
"""

from dataclasses import dataclass
from typing import Any

from salon.ids import ParticipantId, RoomName

# --- core -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resume:
    participant_id: ParticipantId
    token: str


@dataclass(frozen=True, slots=True)
class Join:
    room: RoomName
    room_key: str | None
    display_name: str | None
    external_id: str | None
    metadata: str | None
    resume: Resume | None


@dataclass(frozen=True, slots=True)
class Knock:
    display_name: str | None


@dataclass(frozen=True, slots=True)
class CancelKnock:
    pass


@dataclass(frozen=True, slots=True)
class Leave:
    pass


@dataclass(frozen=True, slots=True)
class Signal:
    to: ParticipantId
    payload: dict[str, Any]
    """`{"description": …}` or `{"candidate": …}`, relayed as given once checked."""


@dataclass(frozen=True, slots=True)
class MediaState:
    audio: bool
    video: bool
    screen: bool


@dataclass(frozen=True, slots=True)
class Chat:
    text: str


@dataclass(frozen=True, slots=True)
class SetName:
    display_name: str


@dataclass(frozen=True, slots=True)
class Ping:
    id: str | int | None


# --- a host's (and breakout) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lock:
    locked: bool


@dataclass(frozen=True, slots=True)
class Admit:
    participant_id: ParticipantId


@dataclass(frozen=True, slots=True)
class Reject:
    participant_id: ParticipantId
    message: str | None


@dataclass(frozen=True, slots=True)
class Hold:
    participant_id: ParticipantId
    message: str


@dataclass(frozen=True, slots=True)
class Remove:
    participant_id: ParticipantId


@dataclass(frozen=True, slots=True)
class Mute:
    participant_id: ParticipantId


@dataclass(frozen=True, slots=True)
class CameraOff:
    participant_id: ParticipantId


@dataclass(frozen=True, slots=True)
class Spotlight:
    participant_id: ParticipantId | None


@dataclass(frozen=True, slots=True)
class EndMeeting:
    pass


@dataclass(frozen=True, slots=True)
class BreakoutStart:
    groups: list[str]
    allow_choose: bool


@dataclass(frozen=True, slots=True)
class BreakoutAssign:
    participant_id: ParticipantId
    group: int | None


@dataclass(frozen=True, slots=True)
class BreakoutChoose:
    group: int | None


@dataclass(frozen=True, slots=True)
class BreakoutBroadcast:
    text: str


@dataclass(frozen=True, slots=True)
class BreakoutEnd:
    pass


@dataclass(frozen=True, slots=True)
class Timer:
    running: bool


HostCommand = (
    Lock | Admit | Reject | Hold | Remove | Mute | CameraOff | Spotlight | EndMeeting | Timer
    | BreakoutStart | BreakoutAssign | BreakoutChoose | BreakoutBroadcast | BreakoutEnd
)  # fmt: skip


# --- group media ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SfuPublish:
    """A group room: the browser's publisher offer (camera and microphone, and its screen)."""

    description: dict[str, str]
    screen_mid: str | None
    restart: bool
    """A new peer connection: Salon starts a new publisher for it."""
    publication: int | None = None
    """The browser's number for this offer, echoed in `sfu-published`."""


@dataclass(frozen=True, slots=True)
class SfuAnswer:
    """A group room: the browser's answer to the last `sfu-offer`."""

    description: dict[str, str]
    subscription: int | None = None
    """The `subscription` of the offer answered; an answer to an older one is dropped."""


@dataclass(frozen=True, slots=True)
class SfuCandidate:
    target: str
    """`publisher` or `subscriber`: which of the browser's two connections."""
    candidate: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SfuSubscribe:
    """A group room: the browser starts its receiving connection afresh."""


@dataclass(frozen=True, slots=True)
class SfuQuality:
    """Which simulcast layer of a participant's camera to receive (0 small … 2 large)."""

    participant_id: ParticipantId
    substream: int


@dataclass(frozen=True, slots=True)
class SfuView:
    """The videos the browser shows now, each with the simulcast layer its tile's size needs,
    and whom it pinned (heard whether loud or not): Salon receives exactly these for it."""

    videos: tuple[tuple[ParticipantId, str, int], ...]
    """(participant, `camera` or `screen`, substream)."""
    pinned: tuple[ParticipantId, ...] = ()


@dataclass(frozen=True, slots=True)
class SfuPublishRtp:
    """A group room: publish plain RTP instead of WebRTC (load rigs, gateways); answered with
    `sfu-rtp-published` (where and how to send) where the server allows it."""


GroupMediaCommand = (
    SfuPublish | SfuAnswer | SfuCandidate | SfuSubscribe | SfuQuality | SfuView | SfuPublishRtp
)


# --- recording --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartRecording:
    pass


@dataclass(frozen=True, slots=True)
class StopRecording:
    pass


RecordingCommand = StartRecording | StopRecording


# --- live streaming ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartStreaming:
    pass


@dataclass(frozen=True, slots=True)
class StopStreaming:
    pass


StreamingCommand = StartStreaming | StopStreaming


# --- live transcription -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartLiveTranscription:
    pass


@dataclass(frozen=True, slots=True)
class StopLiveTranscription:
    pass


TranscriptionCommand = StartLiveTranscription | StopLiveTranscription

RoomCommand = (
    Join | Knock | CancelKnock | Leave | Signal | MediaState | Chat | SetName | Ping | HostCommand
    | GroupMediaCommand | RecordingCommand | StreamingCommand | TranscriptionCommand
)  # fmt: skip

NAMES: dict[type, str] = {
    Join: "join", Knock: "knock", CancelKnock: "cancel-knock", Leave: "leave", Signal: "signal",
    MediaState: "media", Chat: "chat", SetName: "set-name", Ping: "ping",
    Lock: "lock", Admit: "admit", Reject: "reject", Hold: "hold", Remove: "remove", Mute: "mute",
    CameraOff: "camera-off", Spotlight: "spotlight", EndMeeting: "end-meeting",
    BreakoutStart: "breakout-start", BreakoutAssign: "breakout-assign",
    BreakoutChoose: "breakout-choose", BreakoutBroadcast: "breakout-broadcast",
    BreakoutEnd: "breakout-end", Timer: "timer",
    SfuPublish: "sfu-publish", SfuAnswer: "sfu-answer", SfuCandidate: "sfu-candidate",
    SfuSubscribe: "sfu-subscribe", SfuQuality: "sfu-quality", SfuView: "sfu-view",
    SfuPublishRtp: "sfu-publish-rtp", StartRecording: "start-recording",
    StopRecording: "stop-recording",
    StartStreaming: "start-streaming", StopStreaming: "stop-streaming",
    StartLiveTranscription: "start-live-transcription",
    StopLiveTranscription: "stop-live-transcription",
}  # fmt: skip
"""Each command's name, which is also the `type` its frame travels under."""


def name_of(command: RoomCommand) -> str:
    return NAMES[type(command)]
