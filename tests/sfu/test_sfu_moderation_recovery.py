"""Host privileges enforced in Janus, and recovery when Janus dies.

A host's mute stops the muted participant's audio at every subscriber while that client keeps
sending (a bot that ignores `muted`); Janus killed with SIGKILL mid-meeting is restarted, and
everyone decodes everyone again within 10 s, having seen a reconnecting state meanwhile.
"""

import asyncio
import time

from browser.harness import (
    Crowd,
    Person,
    assert_media_flows,
    assert_mesh_flows,
    inbound_stats,
    join,
)
from e2e.salon_process import SalonServer
from sfu.bots import Bot
from sfu.rooms import GroupMeetings, bot_sent, janus_pid, kill, wait_for

RECOVERY_WITHIN_S = 10.0
SUBSCRIPTION_JS = "() => window.salonRoom.sfu.subscription"
QUIET_WINDOW_S = 1.5
"""Audio packets come every 20 ms: this long without one is no audio at all."""


async def audio_from(person: Person, participant_id: str) -> int:
    stats = await inbound_stats(person.page, participant_id)
    return 0 if stats is None else stats.audio_packets


async def test_a_host_mute_stops_the_audio_in_janus_while_the_client_keeps_sending(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer, bots: list[Bot]
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    talker = Bot(salon.base_url, meeting.room_name, "Talker")
    listener = Bot(salon.base_url, meeting.room_name, "Listener", publishes=False)
    bots += [talker, listener]
    await talker.join()
    await listener.join()
    await wait_for(lambda: talker.id is not None, "the talker joined")
    assert talker.id is not None

    talker_person = Person(name="Talker", context=host.context, page=host.page, log=host.log)
    talker_person.id = talker.id
    await assert_media_flows(host, talker_person)
    await wait_for(lambda: listener.received[talker.pid].audio_frames > 25, "listener hears talker")

    await host.page.evaluate(
        "(id) => window.salonRoom.signaling.send('mute', {participantId: id})", talker.pid
    )
    await wait_for(lambda: any(f["type"] == "muted" for f in talker.frames), "talker told muted")

    # Janus drops the talker's audio: the packets at the host stop growing for a whole window,
    # while the talker (which ignores `muted`) goes on sending, and its video still arrives.
    deadline = time.monotonic() + 15.0
    while True:
        before_host = await audio_from(host, talker.pid)
        before_listener = listener.received[talker.pid].audio_frames
        sent_before = await bot_sent(talker, "audio")
        await asyncio.sleep(QUIET_WINDOW_S)  # the window measured, not a synchronisation
        host_grew = await audio_from(host, talker.pid) - before_host
        listener_grew = listener.received[talker.pid].audio_frames - before_listener
        sent = await bot_sent(talker, "audio") - sent_before
        if host_grew == 0 and listener_grew == 0:
            break
        assert time.monotonic() < deadline, f"audio still arrives: {host_grew}, {listener_grew}"
    assert sent > QUIET_WINDOW_S * 25, f"the talker kept sending ({sent} packets)"
    await assert_media_flows(host, talker_person, audio=False)

    # Turning the microphone on again is the participant's own choice: Janus lets it through.
    await talker.send({"type": "media", "audio": True, "video": True, "screen": False})
    await assert_media_flows(host, talker_person)
    heard = listener.received[talker.pid].audio_frames
    await wait_for(lambda: listener.received[talker.pid].audio_frames > heard + 25, "heard again")


async def test_janus_killed_mid_meeting_is_restarted_and_everyone_decodes_again_within_10_s(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer
) -> None:
    meeting = await meetings.create()
    people = [await crowd.person(name) for name in ("Hana", "Gus", "Vera")]
    await join(people[0], meeting.host_room_url)
    for person in people[1:]:
        await join(person, meeting.room_url)
    await assert_mesh_flows(people)

    before = [await person.page.evaluate(SUBSCRIPTION_JS) for person in people]
    old = janus_pid(salon)
    assert old is not None, "no janus under salon serve"
    kill(old)
    killed_at = time.monotonic()
    # Measure on the new connections only: wait until each page receives on a new subscription.
    for person, subscription in zip(people, before, strict=True):
        await person.wait_until(
            f"() => ![null, {subscription}].includes({SUBSCRIPTION_JS}())",
            what="receiving on a new subscription",
        )

    def left() -> float:
        return max(0.5, RECOVERY_WITHIN_S - (time.monotonic() - killed_at))

    # Decoding again means frames counted on the new connections, sampled twice.
    await asyncio.gather(
        *(assert_media_flows(a, b, within_s=left()) for a in people for b in people if a is not b)
    )
    took = time.monotonic() - killed_at
    assert took <= RECOVERY_WITHIN_S, f"everyone decodes again after {took:.1f} s"
    new = janus_pid(salon)
    assert new is not None
    assert new != old
    for person in people:
        states = [f["state"] for f in person.frames_received("sfu-state")]
        assert states == ["reconnecting", "ready"], states
        publishes = [f["restart"] for f in person.frames_sent("sfu-publish")]
        assert publishes == [True, True], publishes
    print(f"recovered in {took:.1f} s after SIGKILL")
