"""Rooms: the only writer of live room state, and the one place room events come from.

    endpoint ──join()──► role from the room key ──► decide_entry ──► enter | at the door | full
    endpoint ──handle(seat, command)──► the collaborator for it ──► Room ──► notices ──► record
    endpoint ──disconnected(seat)──► reconnecting, then gone after the resume grace

`RoomService` composes its collaborators through their constructors, each given the narrow
`RoomContext` (send, broadcast, record, clock):

    Entrance (entering.py)    WaitingRoom (door.py)    HostActions (hosting.py)
    Departures (leaving.py)   RoomGroupMedia (group_media.py)    Chat (chat.py)
    RoomRecording (recording.py)    Sessions (sessions.py)    RoomDirectory (directory.py)
    RoomStreaming (streaming.py)    RoomCaptions (captions.py)

State changes and their fan-out happen without an `await` in between, so no two messages can
interleave inside one change; the durable record of each event follows.
"""

import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable

from salon.clock import Clock
from salon.ids import OrgId, ParticipantId, RoomName
from salon.meetings.model import RoomMode, RoomRole
from salon.meetings.service import MeetingService
from salon.ratelimit import RateLimiter
from salon.rooms.captions import LiveCaptioning, RoomCaptions
from salon.rooms.chat import Chat
from salon.rooms.commands import (
    BreakoutChoose,
    CancelKnock,
    Join,
    Knock,
    Leave,
    MediaState,
    Ping,
    RoomCommand,
    SetName,
    SfuAnswer,
    SfuCandidate,
    SfuPublish,
    SfuPublishRtp,
    SfuQuality,
    SfuSubscribe,
    SfuView,
    Signal,
    StartLiveTranscription,
    StartRecording,
    StartStreaming,
    StopLiveTranscription,
    StopRecording,
    StopStreaming,
)
from salon.rooms.commands import (
    Chat as ChatCommand,
)
from salon.rooms.context import RoomContext
from salon.rooms.directory import RoomDirectory
from salon.rooms.door import WaitingRoom, allowed
from salon.rooms.entering import Entrance, IceServersFor
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.events import LeaveReason
from salon.rooms.group_media import GroupMedia, RoomGroupMedia, is_group
from salon.rooms.hosting import HostActions
from salon.rooms.leaving import RESUME_GRACE_S, Departures
from salon.rooms.limits import RoomLimits
from salon.rooms.notices import (
    Client,
    Closing,
    Encoder,
    Pong,
    Relayed,
    Removed,
    RoomFull,
    RoomLocked,
)
from salon.rooms.recorder import RoomRecorder
from salon.rooms.recording import CloudRecording, RoomRecording
from salon.rooms.room import Room, Seat, SeatStatus
from salon.rooms.sdp import receive_only
from salon.rooms.sessions import SESSION_END_GRACE_S, Sessions
from salon.rooms.state import Entry, GroupCaps, SignedInMember, entry_role
from salon.rooms.streaming import RoomStreaming, StreamControl

DEFAULT_NAME = "Guest"
DEFAULT_CAPS = GroupCaps()


class RoomService:
    def __init__(
        self,
        meetings: MeetingService,
        recorder: RoomRecorder,
        clock: Clock,
        *,
        encode: Encoder,
        ice_servers_for: IceServersFor | None = None,
        group_media: GroupMedia | None = None,
        resume_grace_s: float = RESUME_GRACE_S,
        session_end_grace_s: float = SESSION_END_GRACE_S,
        cloud_recording: CloudRecording | None = None,
        live_streaming: StreamControl | None = None,
        live_captioning: LiveCaptioning | None = None,
        limits: RoomLimits | None = None,
        group_caps: GroupCaps = DEFAULT_CAPS,
    ) -> None:
        self._meetings = meetings
        self._clock = clock
        self._limits = limits = limits or RoomLimits()
        self._join_rate = RateLimiter(limits.joins_per_minute, clock)
        self._closing = False
        self._ctx = ctx = RoomContext(encode, recorder, clock)
        self._rooms = RoomDirectory(group_caps)
        sessions = Sessions(ctx, self._rooms, session_end_grace_s)
        self._media = RoomGroupMedia(ctx, group_media)
        self._recording = RoomRecording(ctx, cloud_recording)
        self._streaming = RoomStreaming(ctx, live_streaming)
        self._captions = RoomCaptions(ctx, live_captioning)
        self._chat = Chat(ctx)
        self._entrance = Entrance(
            ctx,
            sessions,
            self._media,
            self._recording,
            ice_servers_for=ice_servers_for,
            streaming=self._streaming,
            captions=self._captions,
        )
        self._door = WaitingRoom(ctx, limits, self._entrance.enter)
        self._departures = Departures(
            ctx,
            self._rooms,
            sessions,
            self._door,
            self._media,
            self._recording,
            resume_grace_s,
            streaming=self._streaming,
            captions=self._captions,
        )
        self._hosts = HostActions(ctx, self._door, self._departures, self._media, self._chat)

    # --- reading (dashboard, metrics, tests) --------------------------------------------------

    def on_meeting_ended(self, listener: Callable[[RoomName, str], Awaitable[None]]) -> None:
        """Call `listener(room name, reason)` once a host has ended a meeting in this process."""
        self._hosts.meeting_ended_listeners.append(listener)

    def live_room(self, name: RoomName) -> Room | None:
        return self._rooms.get(name)

    def live_rooms(self, org_id: OrgId) -> list[Room]:
        """The organization's rooms with someone in them or at the door, in this process."""
        return self._rooms.of_org(org_id)

    def every_live_room(self) -> list[Room]:
        """Every room with someone in it or at the door, in this process (metrics)."""
        return self._rooms.all()

    # --- joining ----------------------------------------------------------------------------

    async def join(
        self,
        client: Client,
        command: Join,
        member: SignedInMember | None = None,
        address: str | None = None,
    ) -> Seat:
        if self._closing:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "the server is restarting", Closing.SERVICE_RESTART
            )
        if command.resume is not None:
            resumed = self._resume(client, command)
            if resumed is not None:
                return resumed
        if not allowed(self._join_rate, address):
            raise Refused(
                RoomErrorCode.SLOW_DOWN,
                "too many joins from your address; try again in a minute",
                Closing.FLOODING,
            )
        meeting = await self._meetings.active_meeting(command.room)
        if meeting is None:
            raise Refused(RoomErrorCode.NO_SUCH_ROOM, "there is no such room", Closing.PROTOCOL)
        if meeting.room_mode is RoomMode.GROUP and not self._media.available:
            raise Refused(
                RoomErrorCode.NO_SFU,
                "this is a group room and this server has no SFU to carry it",
                Closing.NO_SFU,
            )
        role = RoomRole.VISITOR
        if command.room_key:
            granted = await self._meetings.role_for_key(meeting.room_name, command.room_key)
            role = granted if granted is not None else RoomRole.VISITOR
        role = entry_role(role, member, meeting.org_id)
        room = self._rooms.open(
            meeting,
            recording=self._recording.offered(meeting),
            live_transcription=self._captions.offered(meeting),
        )
        seat = Seat(
            room=room,
            participant_id=ParticipantId(str(uuid.uuid4())),
            role=role,
            display_name=command.display_name or DEFAULT_NAME,
            external_id=command.external_id,
            metadata=command.metadata,
            resume_token=secrets.token_urlsafe(24),
            address=address,
        )
        entry = room.state.decide_entry(role)
        if entry is Entry.FULL:
            # A host is never kept out by seats whose people are only in their resume grace.
            for stale in room.state.seats_to_free_for(role):
                await self._departures.depart(room, stale, LeaveReason.TIMEOUT)
            entry = room.state.decide_entry(role)
        if entry is Entry.FULL:
            self._rooms.drop_if_idle(room)
            viewer = role is RoomRole.VIEWER and is_group(room)
            raise Refused(
                RoomErrorCode.NOT_ALLOWED,
                room.state.full_message(role),
                Closing.ROOM_FULL,
                answer=RoomFull(room.state.capacity_for(role), viewer),
            )
        if entry is Entry.KNOCK and room.at_door() >= self._limits.door_cap:
            self._rooms.drop_if_idle(room)
            raise Refused(
                RoomErrorCode.WAITING_ROOM_FULL, "the waiting room is full", Closing.ROOM_FULL
            )
        room.sit(seat, client)
        if entry is Entry.KNOCK:
            client.send(self._ctx.frame(RoomLocked(room.state.name)))
            return seat
        await self._entrance.enter(room, seat)
        return seat

    def _resume(self, client: Client, command: Join) -> Seat | None:
        assert command.resume is not None
        room = self._rooms.get(command.room)
        seat = room.seats.get(command.resume.participant_id) if room else None
        if (
            room is None
            or seat is None
            or seat.status is not SeatStatus.IN_ROOM
            or not hmac.compare_digest(seat.resume_token, command.resume.token)
        ):
            return None
        deadline = room.resume_deadlines.pop(seat.participant_id, None)
        if deadline is not None:
            deadline.cancel()
        previous = room.clients.get(seat.participant_id)
        if previous is not None and previous is not client:
            previous.send(self._ctx.frame(Removed("replaced")))
            previous.close(Closing.REPLACED, "resumed on another connection")
        room.clients[seat.participant_id] = client
        updated = room.update(seat.participant_id, reconnecting=False)
        self._ctx.send(room, seat.participant_id, self._entrance.joined(room, seat))
        self._media.resumed(room, seat.participant_id)
        self._ctx.broadcast(room, updated, skip=seat.participant_id)
        return seat

    # --- commands from a seated connection ----------------------------------------------------

    async def handle(self, seat: Seat, command: RoomCommand) -> None:
        room = seat.room
        match command:
            case Ping(identifier):
                self._ctx.send(room, seat.participant_id, Pong(identifier))
            case Join():
                raise Refused(RoomErrorCode.ALREADY_JOINED, "this connection has joined already")
            case Knock() | CancelKnock():
                await self._door.handle(seat, command)
            case Leave():
                await self._departures.leave_by_choice(seat)
            case _:
                if seat.status is not SeatStatus.IN_ROOM:
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "you are not in the room")
                await self._in_room(seat, command)

    async def _in_room(self, seat: Seat, command: RoomCommand) -> None:
        room, me, ctx = seat.room, seat.participant_id, self._ctx
        match command:
            case Signal():
                self._relay(seat, command)
            case MediaState(audio, video, screen):
                if seat.role is RoomRole.VIEWER and (audio or video or screen):
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "a viewer cannot send audio or video")
                ctx.broadcast(room, room.update(me, audio=audio, video=video, screen=screen))
                if audio:
                    await self._media.unmuted(room, me)
            case ChatCommand(text):
                self._chat.say(room, me, text, everyone=False)
            case BreakoutChoose(group):
                breakout = room.state.breakout
                if breakout is None or not breakout.allow_choose:
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "no breakout session lets you choose")
                ctx.broadcast(room, room.assign(me, group))
                await self._media.sync_spaces(room)
            case (
                SfuPublish() | SfuAnswer() | SfuCandidate() | SfuSubscribe() | SfuQuality()
                | SfuView() | SfuPublishRtp()
            ):  # fmt: skip
                await self._media.handle(seat, command)
            case StartRecording() | StopRecording():
                await self._recording.handle(seat, command)
            case StartStreaming() | StopStreaming():
                await self._streaming.handle(seat, command)
            case StartLiveTranscription() | StopLiveTranscription():
                await self._captions.handle(seat, command)
            case SetName(name):
                ctx.broadcast(room, room.rename(seat, name))
            case _:
                await self._hosts.handle(seat, command)

    def _relay(self, seat: Seat, signal: Signal) -> None:
        room, to = seat.room, signal.to
        if to not in room.state.participants or to == seat.participant_id:
            raise Refused(RoomErrorCode.NO_SUCH_PARTICIPANT, f"no participant {to!r} to signal")
        if not room.state.same_space(seat.participant_id, to):
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "that participant is in another breakout group"
            )
        description = signal.payload.get("description")
        if (
            seat.role is RoomRole.VIEWER
            and description is not None
            and not receive_only(description.get("sdp", ""))
        ):
            raise Refused(
                RoomErrorCode.NOT_ALLOWED,
                "a viewer cannot send audio or video: every media section must say recvonly"
                " or inactive",
            )
        self._ctx.send(room, to, Relayed(seat.participant_id, signal.payload))

    # --- leaving and closing --------------------------------------------------------------------

    async def disconnected(self, seat: Seat, client: Client) -> None:
        """The connection behind `seat` is gone without `leave`."""
        await self._departures.disconnected(seat, client)

    async def shutdown(self) -> None:
        """The server is stopping: close every room in turn. Pages are told to reconnect (close
        code 1012); participants leave and sessions end now, their webhooks in the outbox."""
        self._closing = True
        for room in self._rooms.all():
            await self._departures.empty(room, LeaveReason.SERVER_STOPPED)
            self._rooms.forget(room)

    async def close_room(self, name: RoomName, reason: str) -> None:
        """The meeting was deleted or its time is over: remove everyone at once."""
        room = self._rooms.get(name)
        if room is not None:
            await self._departures.empty(room, LeaveReason(reason))
            self._rooms.forget(room)

    async def stop(self) -> None:
        self._ctx.stop()
