"""Group rooms in `RoomService`, over a recording `GroupMedia`: who may publish, what reaches the
SFU (publish, answers, candidates, layers, a host's mute and removal, breakout spaces), and that
normal rooms refuse SFU messages. The real SFU path (Janus) is tested in tests/sfu."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from helpers import Api
from salon.rooms.recorder import RoomRecorder
from salon.rooms.service import RoomService
from salon.rooms.state import GroupCaps
from salon.signaling import messages
from services.room_harness import MeetingKeys, Rooms, close_code, wire

OFFER = {"type": "offer", "sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\n"}


@dataclass
class RecordingMedia:
    """A `GroupMedia` that records each call and answers a publish with a fixed answer."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    spaces: dict[str, str] = field(default_factory=dict)
    allows_rtp_publishers: bool = False

    async def enter(self, space: str, participant_id: str, **options: Any) -> None:
        self.spaces[participant_id] = space
        self.calls.append(("enter", space, participant_id, options["publishes"]))

    async def leave(self, participant_id: str) -> None:
        self.spaces.pop(participant_id, None)
        self.calls.append(("leave", participant_id))

    async def move(self, participant_id: str, space: str, capacity: int) -> None:
        self.spaces[participant_id] = space
        self.calls.append(("move", participant_id, space))

    def space_of(self, participant_id: str) -> str | None:
        return self.spaces.get(participant_id)

    async def publish(
        self, participant_id: str, offer: dict[str, Any], screen_mid: str | None, restart: bool
    ) -> dict[str, Any] | None:
        self.calls.append(("publish", participant_id, screen_mid, restart))
        return {"type": "answer", "sdp": "janus"}

    async def publish_rtp(self, participant_id: str) -> dict[str, Any] | None:
        self.calls.append(("publish-rtp", participant_id))
        return {"type": "sfu-rtp-published", "port": 20_000}

    async def answer(
        self, participant_id: str, answer: dict[str, Any], subscription: int | None
    ) -> None:
        self.calls.append(("answer", participant_id, subscription))

    async def candidate(
        self, participant_id: str, target: str, candidate: dict[str, Any] | None
    ) -> None:
        self.calls.append(("candidate", participant_id, target, candidate))

    async def resubscribe(self, participant_id: str) -> None:
        self.calls.append(("resubscribe", participant_id))

    async def quality(self, participant_id: str, of: str, substream: int) -> None:
        self.calls.append(("quality", participant_id, of, substream))

    async def view(
        self, participant_id: str, videos: Sequence[tuple[str, str, int]], pinned: Sequence[str]
    ) -> None:
        self.calls.append(("view", participant_id, tuple(videos), tuple(pinned)))

    async def mute_audio(self, participant_id: str, muted: bool) -> None:
        self.calls.append(("mute", participant_id, muted))

    async def kick(self, participant_id: str) -> None:
        self.calls.append(("kick", participant_id))

    def resend_offer(self, participant_id: str) -> None:
        self.calls.append(("resend", participant_id))


@pytest.fixture
def media() -> RecordingMedia:
    return RecordingMedia()


@pytest.fixture
def rooms(api: Api, media: RecordingMedia) -> Rooms:
    service = RoomService(
        api.app.state.services.meetings,
        RoomRecorder(api.database, api.app.state.services.orgs),
        api.clock,
        encode=messages.encode,
        group_media=media,
        ice_servers_for=lambda participant, now: [{"urls": ["turn:t"], "username": participant}],
    )
    return Rooms(api, service)


@pytest.fixture
async def group(rooms: Rooms) -> MeetingKeys:
    return await rooms.meeting(roomMode="group")


async def test_joining_a_group_room_enters_the_sfu_and_says_so(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    host = await rooms.join(group, group.host_key)
    viewer = await rooms.join(group, group.viewer_key)
    [joined] = host.client.of("joined")
    assert joined["media"] == "sfu"
    assert joined["iceServers"] == [{"urls": ["turn:t"], "username": host.id}]
    assert media.calls == [
        ("enter", group.room, host.id, True),
        ("enter", group.room, viewer.id, False),
    ]


async def test_sfu_messages_reach_the_sfu_and_a_viewer_may_not_publish(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    host = await rooms.join(group, group.host_key)
    viewer = await rooms.join(group, group.viewer_key)
    media.calls.clear()
    assert (
        await rooms.send(host, "sfu-publish", description=OFFER, screenMid="2", publication=7)
        is None
    )
    assert host.client.of("sfu-published") == [
        {
            "type": "sfu-published",
            "description": {"type": "answer", "sdp": "janus"},
            "publication": 7,
        }
    ]
    assert await rooms.send(host, "sfu-answer", description=ANSWER, subscription=4) is None
    assert await rooms.send(host, "sfu-candidate", target="subscriber", candidate=None) is None
    assert await rooms.send(host, "sfu-subscribe") is None
    assert await rooms.send(host, "sfu-quality", participantId=viewer.id, substream=0) is None
    assert await rooms.send(viewer, "sfu-publish", description=OFFER) == "not_allowed"
    assert await rooms.send(viewer, "sfu-answer", description=ANSWER) is None
    assert media.calls == [
        ("publish", host.id, "2", False),
        ("answer", host.id, 4),
        ("candidate", host.id, "subscriber", None),
        ("resubscribe", host.id),
        ("quality", host.id, viewer.id, 0),
        ("answer", viewer.id, None),
    ]


async def test_a_hosts_mute_and_removal_reach_the_sfu_and_unmuting_is_the_participants(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    host = await rooms.join(group, group.host_key)
    guest = await rooms.join(group)
    other = await rooms.join(group)
    media.calls.clear()
    assert await rooms.send(guest, "mute", participantId=other.id) == "not_allowed"
    assert await rooms.send(host, "mute", participantId=guest.id) is None
    assert await rooms.send(guest, "media", audio=True, video=True, screen=False) is None
    assert await rooms.send(host, "remove", participantId=guest.id) is None
    assert media.calls == [
        ("mute", guest.id, True),
        ("mute", guest.id, False),
        ("kick", guest.id),
        ("leave", guest.id),
    ]


async def test_breakout_groups_are_sfu_rooms_of_their_own(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    host = await rooms.join(group, group.host_key)
    guest = await rooms.join(group)
    media.calls.clear()
    assert await rooms.send(host, "breakout-start", groups=["Red", "Blue"]) is None
    assert media.calls == []  # nobody is in a group yet
    assert await rooms.send(host, "breakout-assign", participantId=guest.id, group=1) is None
    assert media.calls == [("move", guest.id, f"{group.room}#group-1")]
    assert await rooms.send(host, "breakout-end") is None
    assert media.calls[-1] == ("move", guest.id, group.room)


async def test_a_resumed_group_participant_gets_a_missed_offer_again(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    guest = await rooms.join(group)
    [joined] = guest.client.of("joined")
    await rooms.disconnect(guest)
    again = await rooms.join(
        group, None, resume={"participantId": guest.id, "token": joined["resumeToken"]}
    )
    assert again.id == guest.id
    assert media.calls[-1] == ("resend", guest.id)


async def test_a_normal_room_refuses_sfu_messages(rooms: Rooms) -> None:
    meeting = await rooms.meeting()
    member = await rooms.join(meeting)
    assert member.client.of("joined")[0]["media"] == "mesh"
    assert await rooms.send(member, "sfu-publish", description=OFFER) == "not_allowed"
    assert await rooms.send(member, "sfu-subscribe") == "not_allowed"


async def test_a_view_reaches_the_sfu_from_a_participant_and_from_a_viewer(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    host = await rooms.join(group, group.host_key)
    viewer = await rooms.join(group, group.viewer_key)
    media.calls.clear()
    video = {"participantId": host.id, "kind": "camera", "substream": 1}
    assert await rooms.send(viewer, "sfu-view", videos=[video], pinned=[host.id]) is None
    assert await rooms.send(host, "sfu-view", videos=[]) is None
    assert media.calls == [
        ("view", viewer.id, ((host.id, "camera", 1),), (host.id,)),
        ("view", host.id, (), ()),
    ]


@pytest.fixture
def small_rooms(api: Api, media: RecordingMedia) -> Rooms:
    service = RoomService(
        api.app.state.services.meetings,
        RoomRecorder(api.database, api.app.state.services.orgs),
        api.clock,
        encode=messages.encode,
        group_media=media,
        group_caps=GroupCaps(participants=3, viewers=2),
    )
    return Rooms(api, service)


async def test_a_group_room_refuses_past_its_caps_counted_across_breakout_groups(
    small_rooms: Rooms,
) -> None:
    rooms = small_rooms
    group = await rooms.meeting(roomMode="group")
    host = await rooms.join(group, group.host_key)
    guest = await rooms.join(group)
    assert await rooms.send(host, "breakout-start", groups=["Red", "Blue"]) is None
    assert await rooms.send(host, "breakout-assign", participantId=guest.id, group=1) is None
    await rooms.join(group)
    refused, _ = await rooms.refused_join(group)
    assert (refused.code.value, close_code(refused)) == ("not_allowed", 4004)
    assert refused.message == "the room is full: it admits 3 participants"
    assert wire(refused.answer) == {"type": "room-full", "capacity": 3}
    # Viewers have a cap of their own, and do not count against the participants'.
    for _ in range(2):
        await rooms.join(group, group.viewer_key)
    refused, _ = await rooms.refused_join(group, group.viewer_key)
    assert refused.message == "the room is full: it admits 2 viewers"
    assert wire(refused.answer) == {"type": "room-full", "capacity": 2, "role": "viewer"}
    assert len(rooms.live(group).state.participants) == 5


async def test_plain_rtp_publishing_only_where_the_server_allows_it_and_never_for_viewers(
    rooms: Rooms, group: MeetingKeys, media: RecordingMedia
) -> None:
    host = await rooms.join(group, group.host_key)
    viewer = await rooms.join(group, group.viewer_key)
    media.calls.clear()
    assert await rooms.send(host, "sfu-publish-rtp") == "not_allowed"
    media.allows_rtp_publishers = True
    assert await rooms.send(viewer, "sfu-publish-rtp") == "not_allowed"
    assert await rooms.send(host, "sfu-publish-rtp") is None
    assert host.client.of("sfu-rtp-published") == [{"type": "sfu-rtp-published", "port": 20_000}]
    assert media.calls == [("publish-rtp", host.id)]
