"""The `whereby-api` package from PyPI (a third-party Whereby client nobody on this project
wrote), pointed at a real `salon serve`, with every call it has.

The package always sends all its keyword arguments, the unset ones as `null`
(`"roomNamePrefix": null`), and reads `startDate`, `endDate` and `hostRoomUrl` back.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from whereby_api import WherebyClient

from e2e.salon_process import SalonServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    root = tmp_path_factory.mktemp("whereby-api")
    with SalonServer.on(log_dir=root / "logs", data_dir=root / "data") as running:
        yield running


@pytest.fixture(scope="module")
def client(server: SalonServer) -> WherebyClient:
    created = server.cli("keys", "create", "--name", "whereby-api", "--json")
    assert created.returncode == 0, created.stderr
    made = WherebyClient(json.loads(created.stdout)["key"])
    made.api_base_url = server.base_url + "/v1"
    return made


def window() -> tuple[datetime, datetime]:
    start = datetime.now(UTC).replace(microsecond=0)
    return start, start + timedelta(hours=2)


def test_create_meeting_with_the_defaults(client: WherebyClient, server: SalonServer) -> None:
    start, end = window()
    meeting = client.create_meeting(start, end)
    assert meeting.meeting_id.isdigit()
    assert meeting.room_url.startswith(server.base_url + "/")
    assert meeting.start_date == start
    assert meeting.end_date == end
    assert meeting.host_room_url is None


def test_create_meeting_with_every_option(client: WherebyClient, server: SalonServer) -> None:
    start, end = window()
    meeting = client.create_meeting(
        start.isoformat(),
        end,
        is_locked=True,
        room_name_prefix="Client Test-",
        room_mode="group",
        fields=["hostRoomUrl"],
    )
    assert meeting.room_url.startswith(server.base_url + "/clienttest-")
    assert meeting.host_room_url.startswith(meeting.room_url + "?roomKey=")


def test_get_meeting_reads_what_was_created(client: WherebyClient) -> None:
    start, end = window()
    made = client.create_meeting(start, end)
    found = client.get_meeting(made.meeting_id)
    assert found == made


def test_delete_meeting_then_get_is_404(client: WherebyClient) -> None:
    start, end = window()
    made = client.create_meeting(start, end)
    client.delete_meeting(made.meeting_id)
    client.delete_meeting(made.meeting_id)  # idempotent
    with pytest.raises(requests.HTTPError) as refused:
        client.get_meeting(made.meeting_id)
    assert refused.value.response.status_code == 404


def test_get_room_insights_lists_the_organizations_rooms(client: WherebyClient) -> None:
    start, end = window()
    made = client.create_meeting(start, end, room_name_prefix="insight-")
    room_name = "/" + made.room_url.rsplit("/", 1)[1]
    found = client.get_room_insights({"roomName[exact]": room_name})
    assert found["cursor"] is None
    assert [row["roomName"] for row in found["results"]] == [room_name]
    assert found["results"][0]["totalSessions"] == 0
    for _ in range(10):
        client.create_meeting(start, end)
    first = client.get_room_insights()
    assert len(first["results"]) == 10  # the default page of insights
    assert isinstance(first["cursor"], str)
    rest = client.get_room_insights({"cursor": first["cursor"], "limit": 100})
    assert rest["cursor"] is None
    names = [row["roomName"] for row in first["results"] + rest["results"]]
    assert len(names) == len(set(names)) >= 11
