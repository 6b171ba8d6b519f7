"""The dashboard's Recordings page: an owner sees the organization's recordings in every state,
plays one kept by Salon (the player's source redirects to a fresh signed link, served with
ranges) and deletes one with the form's CSRF token; members, other organizations and a forged form
get nothing; a room name with markup is shown as text."""

from pathlib import Path

from dashboard_helpers import Person, signed_in
from edges.test_recordings_api import add_recording
from helpers import Api
from salon.accounts.model import AccountRole
from salon.recording.model import RecordingStatus, StorageKind

PAGE = "/dashboard/recordings"


def row_of(page: str, recording_id: str) -> str:
    start = page.index(f'data-recording-id="{recording_id}"')
    return page[start : page.index("</tr>", start)]


async def test_an_owner_sees_plays_and_deletes_recordings(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    ready = await add_recording(api, tmp_path, 1, size=2_500_000, minutes=3)
    composing = await add_recording(api, tmp_path, 2, status=RecordingStatus.PROCESSING)
    in_bucket = await add_recording(api, tmp_path, 3, storage=StorageKind.S3)
    owner = await signed_in(api, people, "owner@example.com")

    shown = await owner.get(PAGE)
    assert shown.status_code == 200
    assert "default-src 'self'" in shown.headers["content-security-policy"]
    assert f'<a href="{PAGE}" aria-current="page">Recordings</a>' in shown.text
    assert shown.text.count('data-testid="recording-row"') == 3
    first = row_of(shown.text, ready)
    assert 'data-state="ready"' in first
    assert "<code>/room-a</code>" in first
    assert "2.5 MB" in first
    assert "3 min 0 s" in first
    assert f'<video controls preload="none" src="{PAGE}/{ready}/file"' in first
    assert 'data-testid="recording-delete"' in first
    assert 'data-state="processing"' in row_of(shown.text, composing)
    assert "<video" not in row_of(shown.text, composing)
    assert "in your S3 bucket" in row_of(shown.text, in_bucket)
    assert "<video" not in row_of(shown.text, in_bucket)

    played = await owner.client.get(f"{PAGE}/{ready}/file")
    assert played.status_code == 303
    link = played.headers["location"]
    assert link.startswith(f"/_salon/recordings/{ready}?expires=")  # same origin: the CSP's 'self'
    part = await owner.client.get(link, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.content == bytes(range(10))
    bucket = await owner.client.get(f"{PAGE}/{in_bucket}/file")
    assert bucket.status_code == 403
    assert "Kept in your S3 bucket" in bucket.text
    assert (await owner.client.get(f"{PAGE}/{composing}/file")).status_code == 404

    forged = await owner.post(f"{PAGE}/{ready}/delete", csrf="0" * 64)
    assert forged.status_code == 403
    assert (await api.client.get(f"/v1/recordings/{ready}", headers=api.auth)).status_code == 200
    gone = await owner.post(f"{PAGE}/{ready}/delete")
    assert gone.status_code == 303
    assert gone.headers["location"] == f"{PAGE}?notice=deleted"
    after = await owner.get(gone.headers["location"])
    assert "Recording deleted" in after.text
    assert ready not in after.text
    assert (await api.client.get(f"/v1/recordings/{ready}", headers=api.auth)).status_code == 404


async def test_members_and_other_organizations_get_nothing(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    mine = await add_recording(api, tmp_path, 1)
    other = await api.app.state.services.orgs.create("other")
    theirs = await add_recording(api, tmp_path, 2, room="/theirs", org_id=other.org_id)
    member = await signed_in(api, people, "member@example.com", AccountRole.MEMBER)
    assert f'href="{PAGE}"' not in (await member.get("/dashboard/meetings")).text
    for path in (PAGE, f"{PAGE}/{mine}/file"):
        refused = await member.client.get(path)
        assert refused.status_code == 403, path
        assert "Owners only" in refused.text
    assert (await member.post(f"{PAGE}/{mine}/delete")).status_code == 403

    owner = await signed_in(api, people, "owner@example.com")
    page = (await owner.get(PAGE)).text
    assert mine in page
    assert theirs not in page
    assert "/theirs" not in page
    assert (await owner.client.get(f"{PAGE}/{theirs}/file")).status_code == 404
    assert (await owner.post(f"{PAGE}/{theirs}/delete")).status_code == 303
    recordings = api.app.state.services.recordings
    assert (await recordings.get(other.org_id, theirs)).id == theirs  # not deleted
    assert (await recordings.get(api.org_id, mine)).id == mine


async def test_an_empty_list_says_how_recordings_start(api: Api, people: list[Person]) -> None:
    owner = await signed_in(api, people, "owner@example.com")
    page = await owner.get(PAGE)
    assert page.status_code == 200
    assert "No recordings yet" in page.text


async def test_a_room_name_with_markup_is_shown_as_text(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    await add_recording(api, tmp_path, 1, room="/<img src=x onerror=alert(1)>")  # no second /
    owner = await signed_in(api, people, "owner@example.com")
    page = (await owner.get(PAGE)).text
    assert "<img" not in page
    assert "<code>/&lt;img src=x onerror=alert(1)&gt;</code>" in page
