"""A relay-only call (`iceTransportPolicy: "relay"`) in a group room, through a real coturn
`turnserver` started here with a shared secret: Salon hands each participant TURN REST
credentials (`expiry:participant`, HMAC-SHA1) and media still flows, relayed both ways."""

import base64
import hashlib
import hmac
import subprocess
import time
from collections.abc import Iterator

import pytest

from browser.harness import (
    Crowd,
    Person,
    assert_mesh_flows,
    open_precall,
    precall_join,
    wait_in_room,
)
from e2e.salon_process import SalonServer, free_port
from sfu.rooms import VETH_ADDRESS, GroupMeetings

SECRET = "sfu-test-turn-secret"
SELECTED_TYPES_JS = """
async () => {
  const types = [];
  for (const pc of [window.salonRoom.sfu.publisher, window.salonRoom.sfu.subscriber]) {
    if (!pc) { types.push('none'); continue; }
    const report = await pc.getStats();
    let pair = null;
    report.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId)
      pair = report.get(s.selectedCandidatePairId); });
    const local = pair && report.get(pair.localCandidateId);
    types.push(local ? local.candidateType : 'none');
  }
  return types;
}
"""


@pytest.fixture(scope="module")
def turn_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """coturn on the veth address, REST-API shared secret, TCP and UDP, no TLS."""
    state = tmp_path_factory.mktemp("turn")
    port = free_port()
    config = state / "turnserver.conf"
    config.write_text(
        "\n".join(
            [
                f"listening-ip={VETH_ADDRESS}",
                f"relay-ip={VETH_ADDRESS}",
                f"listening-port={port}",
                "min-port=49160",
                "max-port=49260",
                "realm=salon.test",
                "fingerprint",
                "use-auth-secret",
                f"static-auth-secret={SECRET}",
                "no-tls",
                "no-dtls",
                "no-cli",
                "no-multicast-peers",
                f"pidfile={state}/turnserver.pid",
                f"log-file={state}/turnserver.log",
                "simple-log",
                "no-stdout-log",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen(
        ["turnserver", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while f"{VETH_ADDRESS}:{port}" not in _listening():
            assert process.poll() is None, (state / "turnserver.log").read_text()
            assert time.monotonic() < deadline, "turnserver does not listen"
            time.sleep(0.05)  # between polls of a condition
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _listening() -> str:
    return subprocess.run(["ss", "-lnu"], capture_output=True, text=True, check=False).stdout


@pytest.fixture(scope="module")
def turn_salon(tmp_path_factory: pytest.TempPathFactory, turn_port: int) -> Iterator[SalonServer]:
    base = tmp_path_factory.mktemp("salon-turn")
    turn = f"turn:{VETH_ADDRESS}:{turn_port}"
    urls = f"{turn}?transport=udp,{turn}?transport=tcp"
    extra = ["--janus", "auto", "--turn-urls", urls, "--turn-secret", SECRET]
    with SalonServer.on(log_dir=base / "logs", data_dir=base / "data", extra_args=extra) as server:
        yield server


async def join_relay_only(person: Person, url: str) -> None:
    await open_precall(person, url)
    await person.page.evaluate("() => { window.salonRoom.sfu.iceTransportPolicy = 'relay'; }")
    await precall_join(person, person.name)
    await wait_in_room(person)


async def test_a_relay_only_group_call_flows_through_coturn(
    crowd: Crowd, turn_salon: SalonServer, turn_port: int
) -> None:
    assert turn_salon.first_key is not None
    meeting = await GroupMeetings(turn_salon.base_url, turn_salon.first_key).create()
    people = [await crowd.person("Hana"), await crowd.person("Gus")]
    await join_relay_only(people[0], meeting.host_room_url)
    await join_relay_only(people[1], meeting.room_url)

    for person in people:
        [joined] = person.frames_received("joined")
        [servers] = joined["iceServers"]
        assert servers["urls"] == [
            f"turn:{VETH_ADDRESS}:{turn_port}?transport=udp",
            f"turn:{VETH_ADDRESS}:{turn_port}?transport=tcp",
        ]
        expiry, participant = servers["username"].split(":")
        assert participant == person.pid
        assert int(expiry) > time.time() + 3600
        digest = hmac.new(SECRET.encode(), servers["username"].encode(), hashlib.sha1).digest()
        assert servers["credential"] == base64.b64encode(digest).decode()

    await assert_mesh_flows(people)
    for person in people:
        assert await person.page.evaluate(SELECTED_TYPES_JS) == ["relay", "relay"]
        offered = [f["description"]["sdp"] for f in person.frames_sent("sfu-publish")]
        assert offered, "no publish offer"
        sent = [f["candidate"] for f in person.frames_sent("sfu-candidate") if f["candidate"]]
        assert sent, "no candidate trickled"
        assert all(" typ relay " in c["candidate"] for c in sent), sent
