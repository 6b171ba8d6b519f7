"""Rooms: the only writer of live room state, and the one place room events come from.

    endpoint ──join()──► role from the room key ──► decide_entry ──► enter | at the door | full
    endpoint ──handle(seat, message)──► the rule in rooms/state.py ──► fan-out ──► record()
    endpoint ──disconnected(seat)──► reconnecting, then gone after the resume grace

Knocks, host actions, leaving and group media are mixins of their own (knocks.py, hosting.py,
leaving.py, group_media.py); this module keeps joining, the in-room messages and sessions.

State changes and their fan-out happen without an `await` in between, so no two messages can
interleave inside one change; the durable record of each event follows.
"""

import asyncio
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from salon.clock import Clock
from salon.ids import OrgId, ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting, RoomMode
from salon.meetings.service import MeetingService
from salon.ratelimit import RateLimiter
from salon.recording.streaming import RoomStreaming
from salon.rooms import live as views
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.group_media import GroupMedia, GroupMediaRules
from salon.rooms.hosting import HostActions
from salon.rooms.knocks import KnockRules
from salon.rooms.leaving import LeavingRules
from salon.rooms.limits import KNOCK_LIST_MAX, RoomLimits
from salon.rooms.live import Client, LiveRoom, Refused, Seat, SeatStatus
from salon.rooms.recorder import RoomRecorder
from salon.rooms.recording import CloudRecording, RecordingRules
from salon.rooms.state import (
    HOST_ROLES,
    Entry,
    GroupCaps,
    Participant,
    Role,
    RoomState,
    SignedInMember,
    entry_role,
)
from salon.signaling import protocol as p
from salon.signaling.host_messages import BreakoutChoose
from salon.signaling.protocol import CloseCode, ErrorCode
from salon.signaling.recording_messages import StartRecording, StopRecording
from salon.signaling.sdp import receive_only

log = logging.getLogger(__name__)

DEFAULT_NAME = "Guest"
RESUME_GRACE_S = 20.0
SESSION_END_GRACE_S = 60.0


DEFAULT_CAPS = GroupCaps()


class RoomService(RecordingRules, GroupMediaRules, KnockRules, LeavingRules, HostActions):
    """The mixins declare stand-ins for the methods they borrow from one another; a mixin comes
    before every mixin that borrows from it, so the real method is the one found."""

    def __init__(
        self,
        meetings: MeetingService,
        recorder: RoomRecorder,
        clock: Clock,
        *,
        ice_servers: list[dict[str, Any]] | None = None,
        ice_servers_for: Callable[[ParticipantId, int], list[dict[str, Any]]] | None = None,
        group_media: GroupMedia | None = None,
        resume_grace_s: float = RESUME_GRACE_S,
        session_end_grace_s: float = SESSION_END_GRACE_S,
        cloud_recording: CloudRecording | None = None,
        live_streaming: RoomStreaming | None = None,
        limits: RoomLimits | None = None,
        group_caps: GroupCaps = DEFAULT_CAPS,
    ) -> None:
        self._group_caps = group_caps
        self._meetings = meetings
        self._recorder = recorder
        self._clock = clock
        self._ice_servers = ice_servers or []
        self._ice_servers_for = ice_servers_for
        self._sfu = group_media
        self._resume_grace_s = resume_grace_s
        self._session_end_grace_s = session_end_grace_s
        self._limits = limits = limits or RoomLimits()
        self._join_rate = RateLimiter(limits.joins_per_minute, clock)
        self._knock_rate = RateLimiter(limits.knocks_per_minute, clock)
        self._rooms: dict[RoomName, LiveRoom] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._cloud = cloud_recording
        self._streaming = live_streaming
        self._recordings = {}
        self._closing = False

    # --- reading (dashboard, tests) ---------------------------------------------------------

    def live_room(self, name: RoomName) -> LiveRoom | None:
        return self._rooms.get(name)

    def live_rooms(self, org_id: OrgId) -> list[LiveRoom]:
        """The organization's rooms with someone in them or at the door, in this process."""
        return [live for live in self._rooms.values() if live.meeting.org_id == org_id]

    def every_live_room(self) -> list[LiveRoom]:
        """Every room with someone in it or at the door, in this process (metrics)."""
        return list(self._rooms.values())

    # --- joining ----------------------------------------------------------------------------

    async def join(
        self,
        client: Client,
        message: p.Join,
        member: SignedInMember | None = None,
        address: str | None = None,
    ) -> Seat:
        if self._closing:
            raise Refused(
                ErrorCode.NOT_ALLOWED, "the server is restarting", CloseCode.SERVICE_RESTART
            )
        if message.resume is not None:
            resumed = self._resume(client, message)
            if resumed is not None:
                return resumed
        if not self._allowed(self._join_rate, address):
            raise Refused(
                ErrorCode.SLOW_DOWN,
                "too many joins from your address; try again in a minute",
                CloseCode.FLOODING,
            )
        meeting = await self._meetings.active_meeting(message.room)
        if meeting is None:
            raise Refused(ErrorCode.NO_SUCH_ROOM, "there is no such room", CloseCode.PROTOCOL)
        if meeting.room_mode is RoomMode.GROUP and self._sfu is None:
            raise Refused(
                ErrorCode.NO_SFU,
                "this is a group room and this server has no SFU to carry it",
                CloseCode.NO_SFU,
            )
        role = Role.VISITOR
        if message.room_key:
            granted = await self._meetings.role_for_key(meeting.room_name, message.room_key)
            role = Role(granted.value) if granted is not None else Role.VISITOR
        role = entry_role(role, member, meeting.org_id)
        live = self._live(meeting)
        seat = Seat(
            room=live,
            participant_id=ParticipantId(str(uuid.uuid4())),
            role=role,
            status=SeatStatus.AT_DOOR,
            display_name=message.display_name or DEFAULT_NAME,
            external_id=message.external_id,
            metadata=message.metadata,
            resume_token=secrets.token_urlsafe(24),
            address=address,
        )
        entry = live.state.decide_entry(role)
        if entry is Entry.FULL:
            # A host is never kept out by seats whose people are only in their resume grace.
            for stale in live.state.seats_to_free_for(role):
                await self._depart(live, stale, LeaveReason.TIMEOUT)
            entry = live.state.decide_entry(role)
        if entry is Entry.FULL:
            self._drop_if_idle(live)
            capacity = live.state.capacity_for(role)
            answer: dict[str, Any] = {"type": "room-full", "capacity": capacity}
            if role is Role.VIEWER and self.is_group(live):
                answer["role"] = "viewer"
            raise Refused(
                ErrorCode.NOT_ALLOWED,
                live.state.full_message(role),
                CloseCode.ROOM_FULL,
                answer=answer,
            )
        if entry is Entry.KNOCK and live.at_door() >= self._limits.door_cap:
            self._drop_if_idle(live)
            raise Refused(
                ErrorCode.WAITING_ROOM_FULL, "the waiting room is full", CloseCode.ROOM_FULL
            )
        live.clients[seat.participant_id] = client
        live.seats[seat.participant_id] = seat
        if entry is Entry.KNOCK:
            client.send({"type": "room-locked", "room": {"name": live.state.name, "locked": True}})
            return seat
        await self._enter(live, seat)
        return seat

    def _live(self, meeting: Meeting) -> LiveRoom:
        live = self._rooms.get(meeting.room_name)
        if live is None:
            state = RoomState(
                meeting.room_name, meeting.room_mode, meeting.is_locked, group_caps=self._group_caps
            )
            live = LiveRoom(meeting, state)
            self._rooms[meeting.room_name] = live
        return live

    async def _enter(self, live: LiveRoom, seat: Seat) -> None:
        participant = Participant(
            id=seat.participant_id,
            display_name=seat.display_name,
            role=seat.role,
            joined_ms=self._clock(),
            external_id=seat.external_id,
            metadata=seat.metadata,
        )
        live.state.add(participant)
        seat.status = SeatStatus.IN_ROOM
        # What the room says to the newcomer waits until their join is committed: `joined`
        # means `room.client.joined` is on record.
        live.holding[participant.id] = []
        try:
            await self.sfu_enter(live, seat)
            welcome = self._joined(live, seat)
            live.broadcast(
                {"type": "participant-joined", "participant": views.participant_view(participant)},
                skip=participant.id,
            )
            started = self._count_changed(live)
            event = self._event(live, RoomEventType.CLIENT_JOINED, participant=participant)
            await self._recorder.record(event)
        except BaseException:
            live.holding.pop(participant.id, None)
            self._not_entered(live, seat)
            raise
        held = live.holding.pop(participant.id, [])
        live.send(participant.id, welcome)
        for message in held:
            live.send(participant.id, message)
        if started is not None:
            await self._recorder.record(started)
        await self.recording_entered(live, seat)

    def _not_entered(self, live: LiveRoom, seat: Seat) -> None:
        """The join could not be recorded: take the newcomer out again, and let their page try
        once more."""
        live.state.remove(seat.participant_id)
        seat.status = SeatStatus.GONE
        live.seats.pop(seat.participant_id, None)
        client = live.clients.pop(seat.participant_id, None)
        live.broadcast(
            {"type": "participant-left", "participantId": seat.participant_id, "reason": "left"}
        )
        if client is not None:
            client.close(CloseCode.SERVICE_RESTART, "the join could not be recorded")

    def _joined(self, live: LiveRoom, seat: Seat) -> dict[str, Any]:
        knocks = (
            views.knock_list(live.state, KNOCK_LIST_MAX)["knocks"]
            if seat.role in HOST_ROLES
            else []
        )
        return {
            "type": "joined",
            "v": p.PROTOCOL_VERSION,
            "participantId": seat.participant_id,
            "resumeToken": seat.resume_token,
            "role": seat.role.value,
            "room": live.room_view(),
            "participants": [
                views.participant_view(o) for o in live.state.others(seat.participant_id)
            ],
            "knocks": knocks,
            "iceServers": (
                self._ice_servers_for(seat.participant_id, self._clock())
                if self._ice_servers_for is not None
                else self._ice_servers
            ),
            "media": "sfu" if self.is_group(live) else "mesh",
        }

    def _resume(self, client: Client, message: p.Join) -> Seat | None:
        assert message.resume is not None
        live = self._rooms.get(message.room)
        seat = live.seats.get(message.resume.participant_id) if live else None
        if (
            live is None
            or seat is None
            or seat.status is not SeatStatus.IN_ROOM
            or not hmac.compare_digest(seat.resume_token, message.resume.token)
        ):
            return None
        deadline = live.resume_deadlines.pop(seat.participant_id, None)
        if deadline is not None:
            deadline.cancel()
        previous = live.clients.get(seat.participant_id)
        if previous is not None and previous is not client:
            previous.send({"type": "removed", "reason": "replaced"})
            previous.close(CloseCode.REPLACED, "resumed on another connection")
        live.clients[seat.participant_id] = client
        participant = live.state.update(seat.participant_id, reconnecting=False)
        live.send(seat.participant_id, self._joined(live, seat))
        self.sfu_resumed(live, seat.participant_id)
        live.broadcast(
            {"type": "participant-updated", "participant": views.participant_view(participant)},
            skip=seat.participant_id,
        )
        return seat

    # --- messages from a seated connection ----------------------------------------------------

    async def handle(self, seat: Seat, message: p.ClientMessage) -> None:
        live = seat.room
        match message:
            case p.Ping(identifier):
                live.send(seat.participant_id, {"type": "pong", "id": identifier})
            case p.Join():
                raise Refused(ErrorCode.ALREADY_JOINED, "this connection has joined already")
            case p.Knock() | p.CancelKnock():
                await self.knock_message(seat, message)
            case p.Leave():
                await self._leave_by_choice(seat)
            case _:
                self._require_in_room(seat)
                await self._in_room(seat, message)

    async def _in_room(self, seat: Seat, message: p.ClientMessage) -> None:
        live, state, me = seat.room, seat.room.state, seat.participant_id
        match message:
            case p.Signal(to, payload):
                self._relay(seat, to, payload)
            case p.MediaState(audio, video, screen):
                if seat.role is Role.VIEWER and (audio or video or screen):
                    raise Refused(ErrorCode.NOT_ALLOWED, "a viewer cannot send audio or video")
                self._updated(live, state.update(me, audio=audio, video=video, screen=screen))
                if audio:
                    await self.sfu_unmuted(live, me)
            case p.Chat(text):
                self._chat(live, me, text, everyone=False)
            case BreakoutChoose(group):
                if state.breakout is None or not state.breakout.allow_choose:
                    raise Refused(ErrorCode.NOT_ALLOWED, "no breakout session lets you choose")
                state.breakout.assign(me, group)
                live.announce()
                await self.sync_spaces(live)
            case p.SfuPublish() | p.SfuAnswer() | p.SfuCandidate() | p.SfuSubscribe():
                await self.group_message(seat, message)
            case p.SfuQuality() | p.SfuView() | p.SfuPublishRtp():
                await self.group_message(seat, message)
            case StartRecording() | StopRecording():
                await self.recording_message(seat, message)
            case p.SetName(name):
                seat.display_name = name
                self._updated(live, state.update(me, display_name=name))
            case _:
                await self._host_action(seat, message)

    def _relay(self, seat: Seat, to: ParticipantId, payload: dict[str, Any]) -> None:
        live = seat.room
        if to not in live.state.participants or to == seat.participant_id:
            raise Refused(ErrorCode.NO_SUCH_PARTICIPANT, f"no participant {to!r} to signal")
        if not live.state.same_space(seat.participant_id, to):
            raise Refused(ErrorCode.NOT_ALLOWED, "that participant is in another breakout group")
        description = payload.get("description")
        if (
            seat.role is Role.VIEWER
            and description is not None
            and not receive_only(description.get("sdp", ""))
        ):
            raise Refused(
                ErrorCode.NOT_ALLOWED,
                "a viewer cannot send audio or video: every media section must say recvonly"
                " or inactive",
            )
        live.send(to, {"type": "signal", "from": seat.participant_id, **payload})

    @staticmethod
    def _require_in_room(seat: Seat) -> None:
        if seat.status is not SeatStatus.IN_ROOM:
            raise Refused(ErrorCode.NOT_ALLOWED, "you are not in the room")

    def _updated(self, live: LiveRoom, participant: Participant) -> None:
        live.broadcast(
            {"type": "participant-updated", "participant": views.participant_view(participant)}
        )

    # --- sessions: two or more people ---------------------------------------------------------

    def _count_changed(self, live: LiveRoom) -> RoomEvent | None:
        """Start a session at two people; schedule its end when fewer remain. The event to record
        (a session start) is returned so the caller records it after the join it follows."""
        count = len(live.state.participants)
        if count >= 2:
            if live.session_end is not None:
                live.session_end.cancel()
                live.session_end = None
            if live.session_id is None:
                live.session_id = RoomSessionId(str(uuid.uuid4()))
                return self._event(
                    live,
                    RoomEventType.SESSION_STARTED,
                    present=tuple(live.state.participants),
                )
        elif live.session_id is not None and live.session_end is None:
            live.session_end = asyncio.get_running_loop().call_later(
                self._session_end_grace_s, self._spawn, lambda: self._end_session_now(live)
            )
        return None

    async def _end_session_now(self, live: LiveRoom) -> None:
        if live.session_end is not None:
            live.session_end.cancel()
            live.session_end = None
        if live.session_id is None:
            return
        event = self._event(live, RoomEventType.SESSION_ENDED)
        live.session_id = None
        await self._recorder.record(event)
        self._drop_if_idle(live)

    # --- helpers ------------------------------------------------------------------------------

    def _event(self, live: LiveRoom, kind: RoomEventType, **fields: Any) -> RoomEvent:
        counts = None
        if kind in (RoomEventType.CLIENT_JOINED, RoomEventType.CLIENT_LEFT):
            counts = live.state.count_by_role()
        return RoomEvent(
            type=kind,
            meeting=live.meeting,
            at_ms=self._clock(),
            session_id=live.session_id,
            count_by_role=counts,
            **fields,
        )

    async def record(self, event: RoomEvent) -> None:
        await self._recorder.record(event)

    def _drop_if_idle(self, live: LiveRoom) -> None:
        state = live.state
        idle = not (state.participants or state.knockers or live.clients or live.session_id)
        if idle and self._rooms.get(state.name) is live:
            del self._rooms[state.name]

    @staticmethod
    def _allowed(limiter: RateLimiter, address: str | None) -> bool:
        """One more from this address, within its budget per minute (no address: no limit)."""
        return address is None or not limiter.enabled or limiter.charge(address, 1).allowed

    def _spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = asyncio.get_running_loop().create_task(work())
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("room timer failed", exc_info=task.exception())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
