"""The dashboard's transcripts and summaries: on the Recordings page each recording shows its
transcripts (state, a link), and live transcriptions (no recording) are listed below; a
transcript's page shows its lines (time, speaker, words) and its summary (template and keys),
everything escaped and nothing of the Markdown file as markup; owners of the organization only."""

import json
from pathlib import Path

from dashboard_helpers import Person, signed_in
from edges.test_recordings_api import add_recording
from helpers import Api
from salon.accounts.model import AccountRole
from salon.ids import OrgId, RoomName
from salon.storage import summaries as summary_rows
from salon.storage import transcriptions as rows
from salon.summaries.model import Template
from salon.transcription.model import (
    Line,
    Transcription,
    TranscriptionState,
    TranscriptionType,
    render_markdown,
)

RECORDINGS = "/dashboard/recordings"
TRANSCRIPTS = "/dashboard/transcripts"
LINES = [
    Line(62, 65, "Dr Grey", "good morning what brings you in today"),
    Line(70, 74, "Sam", "a sharp pain in my left knee"),
]
SOAP = {
    "summary": "Knee pain after football.",
    "SOAP": {
        "subjective": "Sharp pain in the left knee.",
        "objective": "The knee is swollen.",
        "assessment": "A sprained ligament.",
        "plan": "Ibuprofen; follow up next week.",
    },
}


async def add_transcript(
    api: Api,
    tmp_path: Path,
    name: str,
    *,
    recording_id: str | None = None,
    state: TranscriptionState = TranscriptionState.READY,
    lines: list[Line] = LINES,
    extra: str = "",
    org_id: OrgId | None = None,
) -> str:
    """A transcript as the job (or the live pipeline, without a recording) leaves it; `extra`
    is appended to its Markdown file as it stands."""
    started = api.clock()
    kind = TranscriptionType.LIVE if recording_id is None else TranscriptionType.RECORDING
    transcription = Transcription(
        id=name, org_id=org_id or OrgId(api.org_id), recording_id=recording_id,
        room_name=RoomName("/clinic"), room_session_id=None, kind=kind, state=state,
        created_ms=started, started_ms=started, ended_ms=started + 90_000, filename=None,
        location=None, duration_ms=None, engine="pocketsphinx", error=None,
    )  # fmt: skip
    folder = tmp_path / "transcriptions" / name
    folder.mkdir(parents=True)
    (folder / "t.md").write_text(render_markdown(transcription.room_name, started, lines) + extra)
    async with api.database.transaction() as tx:
        await rows.insert_transcription(tx, transcription)
        if state is TranscriptionState.READY:
            await rows.mark_ready(tx, name, "t.md", f"transcriptions/{name}/t.md", 90_000)
    api.clock.advance(1000)
    return name


async def add_summary(api: Api, transcription_id: str, template: Template, body: object) -> str:
    summary_id = f"summary-of-{transcription_id}"
    async with api.database.transaction() as tx:
        await summary_rows.insert_summary(
            tx, summary_id, OrgId(api.org_id), transcription_id, template, "{}", "test", 0
        )
        await summary_rows.mark_ready(tx, summary_id, json.dumps(body), api.clock())
    return summary_id


def row_of(page: str, attribute: str, ident: str) -> str:
    start = page.index(f'{attribute}="{ident}"')
    return page[start : page.index("</tr>", start)]


async def test_recordings_show_their_transcripts_and_live_ones_are_listed(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    recorded = await add_recording(api, tmp_path, 1)
    bare = await add_recording(api, tmp_path, 2)
    ready = await add_transcript(api, tmp_path, "tr-ready", recording_id=recorded)
    working = await add_transcript(
        api, tmp_path, "tr-working", recording_id=recorded, state=TranscriptionState.IN_PROGRESS
    )
    live = await add_transcript(api, tmp_path, "tr-live")
    owner = await signed_in(api, people, "owner@example.com")

    page = (await owner.get(RECORDINGS)).text
    row = row_of(page, "data-recording-id", recorded)
    assert row.count('data-testid="recording-transcript"') == 2
    assert f'<a href="{TRANSCRIPTS}/{ready}" data-testid="transcript-link">' in row
    assert f'<a href="{TRANSCRIPTS}/{working}" data-testid="transcript-link">' in row
    assert 'data-state="ready"' in row
    assert 'data-state="in_progress">in progress</span>' in row
    assert 'data-testid="recording-transcript"' not in row_of(page, "data-recording-id", bare)
    others = row_of(page, "data-transcription-id", live)
    assert 'data-kind="LIVE_TRANSCRIPTION"' in others
    assert f'href="{TRANSCRIPTS}/{live}"' in others
    assert page.count('data-testid="transcript-row"') == 1  # recordings' transcripts are above

    shown = await owner.get(f"{TRANSCRIPTS}/{live}")
    assert shown.status_code == 200
    assert "default-src 'self'" in shown.headers["content-security-policy"]
    assert f'<a href="{RECORDINGS}" aria-current="page">Recordings</a>' in shown.text
    assert "Live transcription" in shown.text
    assert shown.text.count('data-testid="transcript-line"') == 2
    assert '<time>00:01:02</time></span> <strong class="speaker">Dr Grey</strong>' in shown.text
    assert "a sharp pain in my left knee" in shown.text
    assert "No summary" in shown.text


async def test_a_transcript_shows_its_summary_by_its_template_keys(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    recorded = await add_recording(api, tmp_path, 1)
    transcription_id = await add_transcript(api, tmp_path, "tr-1", recording_id=recorded)
    summary_id = await add_summary(api, transcription_id, Template.SOAP, SOAP)
    owner = await signed_in(api, people, "owner@example.com")

    page = (await owner.get(f"{TRANSCRIPTS}/{transcription_id}")).text
    start = page.index(f'data-summary-id="{summary_id}"')
    summary = page[start : page.index("</article>", start)]
    assert "<h3>SOAP " in summary
    keys = [
        part.split(">", 1)[1].split("<", 1)[0]
        for part in summary.split('data-testid="summary-key"')[1:]
    ]
    assert keys == ["summary", "SOAP", "subjective", "objective", "assessment", "plan"]
    assert "Ibuprofen; follow up next week." in summary

    downloaded = await owner.client.get(f"{TRANSCRIPTS}/{transcription_id}/file")
    assert downloaded.status_code == 303
    link = downloaded.headers["location"]
    assert link.startswith(f"/_salon/transcriptions/{transcription_id}?expires=")
    file = await owner.client.get(link)
    assert file.status_code == 200
    assert "**[00:01:02] Dr Grey:**" in file.text


async def test_a_transcript_in_progress_has_no_lines_or_file(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    working = await add_transcript(api, tmp_path, "tr-w", state=TranscriptionState.IN_PROGRESS)
    owner = await signed_in(api, people, "owner@example.com")
    page = (await owner.get(f"{TRANSCRIPTS}/{working}")).text
    assert "Transcribing" in page
    assert 'data-testid="transcript-line"' not in page
    assert 'data-testid="transcript-download"' not in page
    assert (await owner.client.get(f"{TRANSCRIPTS}/{working}/file")).status_code == 404


async def test_names_words_and_the_file_itself_are_shown_as_text(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    hostile = [Line(1, 2, "<script>alert(1)</script>", 'hello <img src=x onerror="alert(2)">')]
    transcription_id = await add_transcript(
        api, tmp_path, "tr-x", lines=hostile, extra="<b>raw</b>\n<iframe src=//evil></iframe>\n"
    )
    await add_summary(
        api, transcription_id, Template.GENERAL_BULLETED, {"summary": "- <em>bold</em> claim"}
    )
    owner = await signed_in(api, people, "owner@example.com")
    page = (await owner.get(f"{TRANSCRIPTS}/{transcription_id}")).text
    for markup in ("<script>alert", "<img src=x", "<b>raw", "<iframe", "<em>bold"):
        assert markup not in page, markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "hello &lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    assert "- &lt;em&gt;bold&lt;/em&gt; claim" in page
    assert "raw" not in page  # a line Salon does not write is not shown at all


async def test_members_and_other_organizations_get_no_transcripts(
    api: Api, people: list[Person], tmp_path: Path
) -> None:
    mine = await add_transcript(api, tmp_path, "tr-mine")
    other = await api.app.state.services.orgs.create("other")
    theirs = await add_transcript(api, tmp_path, "tr-theirs", org_id=other.org_id)
    member = await signed_in(api, people, "member@example.com", AccountRole.MEMBER)
    for path in (f"{TRANSCRIPTS}/{mine}", f"{TRANSCRIPTS}/{mine}/file"):
        refused = await member.client.get(path)
        assert refused.status_code == 403, path
        assert "Owners only" in refused.text

    owner = await signed_in(api, people, "owner@example.com")
    page = (await owner.get(RECORDINGS)).text
    assert mine in page
    assert theirs not in page
    for path in (f"{TRANSCRIPTS}/{theirs}", f"{TRANSCRIPTS}/{theirs}/file"):
        refused = await owner.client.get(path)
        assert refused.status_code == 404, path
        assert "/clinic" not in refused.text
