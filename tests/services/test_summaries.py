"""`/v1/summaries` and `/v1/transcriptions` reads over transcripts laid down directly (the
speech path is test_transcriptions.py): one summary per transcript, written by the job with
the extractive summariser, or by an OpenAI-compatible endpoint. That endpoint is a small
stand-in server on loopback (no language model can run here) that checks the request Salon
sends and answers as such an endpoint does."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from helpers import Api
from salon.ids import OrgId, RoomName
from salon.jobs.runner import JobRunner
from salon.storage import transcriptions as rows
from salon.summaries.job import SUMMARY_JOB, SummaryJob
from salon.summaries.llm import LlmSummariser
from salon.summaries.summariser import ExtractiveSummariser, Summariser
from salon.transcription.job import REMOVE_JOB, RemovalJob
from salon.transcription.model import (
    Line,
    Transcription,
    TranscriptionState,
    TranscriptionType,
    render_markdown,
    transcript_filename,
)

WITHIN_S = 20.0
KEY = "sk-test-not-a-real-key"
LINES = [
    Line(0, 4, "Dr Grey", "good morning what brings you in today"),
    Line(5, 9, "Sam", "i have had a sharp pain in my left knee since the football match"),
    Line(10, 14, "Dr Grey", "your blood pressure is normal and the knee is swollen"),
    Line(15, 19, "Dr Grey", "this is likely a sprained ligament in the knee"),
    Line(20, 24, "Dr Grey", "i will prescribe ibuprofen and schedule a follow up next week"),
]


async def transcript(
    api: Api,
    tmp_path: Path,
    name: str,
    room: str = "/clinic",
    state: TranscriptionState = TranscriptionState.READY,
    duration_ms: int = 30_000,
) -> str:
    """A transcription row (and its file, when ready) as the job leaves it."""
    started = api.clock()
    transcription = Transcription(
        id=name, org_id=OrgId(api.org_id), recording_id=None, room_name=RoomName(room),
        room_session_id=None, kind=TranscriptionType.RECORDING, state=state,
        created_ms=started, started_ms=started, ended_ms=started + duration_ms, filename=None,
        location=None, duration_ms=None, engine="pocketsphinx", error=None,
    )  # fmt: skip
    filename = transcript_filename(transcription.room_name, started)
    folder = tmp_path / "transcriptions" / name
    folder.mkdir(parents=True)
    (folder / filename).write_text(render_markdown(transcription.room_name, started, LINES))
    async with api.database.transaction() as tx:
        await rows.insert_transcription(tx, transcription)
        if state is TranscriptionState.READY:
            location = str((folder / filename).relative_to(tmp_path))
            await rows.mark_ready(tx, name, filename, location, duration_ms)
    api.clock.advance(1000)
    return name


async def summarised(api: Api, tmp_path: Path, summary_id: str, summariser: Summariser) -> Any:
    runner = JobRunner(api.database, api.clock, slots=1, poll_s=0.05, retry_delay_ms=0)
    runner.handle(SUMMARY_JOB, SummaryJob(api.database, api.clock, tmp_path, summariser))
    task = asyncio.create_task(runner.run())
    deadline = asyncio.get_running_loop().time() + WITHIN_S
    try:
        while True:
            found = await api.client.get(f"/v1/summaries/{summary_id}", headers=api.auth)
            assert found.status_code == 200, found.text
            if found.json()["state"] != "in_progress":
                return found.json()
            assert asyncio.get_running_loop().time() < deadline, f"a summary in {WITHIN_S} s"
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def create(api: Api, body: dict[str, Any]) -> Any:
    return await api.client.post("/v1/summaries", json=body, headers=api.auth)


async def test_a_transcript_gets_one_summary_of_the_default_template(
    api: Api, tmp_path: Path
) -> None:
    transcription_id = await transcript(api, tmp_path, "tr-1")
    created = await create(api, {"transcriptionId": transcription_id})
    assert created.status_code == 201, created.text
    summary_id = created.json()["summaryId"]
    pending = (await api.client.get(f"/v1/summaries/{summary_id}", headers=api.auth)).json()
    assert pending["state"] == "in_progress"
    assert pending["summary"] == {"summary": ""}

    done = await summarised(api, tmp_path, summary_id, ExtractiveSummariser())
    assert done["state"] == "ready"
    assert done["template"] == "General Bulleted"
    assert done["transcriptionId"] == transcription_id
    assert done["roomName"] == "/clinic"
    assert done["startDate"] == "2026-03-01T12:00:00.000Z"
    assert done["endDate"] == "2026-03-01T12:00:30.000Z"
    assert "- Sam: i have had a sharp pain in my left knee" in done["summary"]["summary"]

    again = await create(api, {"transcriptionId": transcription_id, "template": "SOAP"})
    assert again.status_code == 409
    assert again.json()["error"] == (
        f"transcription 'tr-1' has a summary already ({summary_id}); delete it to make another"
    )
    assert (
        await api.client.delete(f"/v1/summaries/{summary_id}", headers=api.auth)
    ).status_code == 204
    assert (
        await api.client.delete(f"/v1/summaries/{summary_id}", headers=api.auth)
    ).status_code == 204
    gone = await api.client.get(f"/v1/summaries/{summary_id}", headers=api.auth)
    assert gone.status_code == 404
    soap = await create(api, {"transcriptionId": transcription_id, "template": "SOAP"})
    assert soap.status_code == 201
    written = await summarised(api, tmp_path, soap.json()["summaryId"], ExtractiveSummariser())
    assert sorted(written["summary"]["SOAP"]) == ["assessment", "objective", "plan", "subjective"]
    assert "sprained ligament" in written["summary"]["SOAP"]["assessment"]


async def test_summaries_are_refused_for_missing_unready_or_bad_requests(
    api: Api, tmp_path: Path
) -> None:
    pending = await transcript(api, tmp_path, "tr-p", state=TranscriptionState.IN_PROGRESS)
    ready = await transcript(api, tmp_path, "tr-r")
    cases = [
        ({"transcriptionId": "nope"}, 404, "no transcription with id 'nope'"),
        (
            {"transcriptionId": pending},
            400,
            "transcription 'tr-p' is in_progress; a summary needs a ready transcription",
        ),
        ({"transcriptionId": ready, "template": "Haiku"}, 400, "template must be one of SOAP,"),
        ({}, 400, "transcriptionId"),
    ]
    for body, status, message in cases:
        answer = await create(api, body)
        assert answer.status_code == status, (body, answer.text)
        assert message in answer.json()["error"]
    bad_sort = await api.client.get("/v1/summaries?sortBy=size", headers=api.auth)
    assert bad_sort.status_code == 400


async def test_summaries_and_transcriptions_list_in_pages_and_sort(
    api: Api, tmp_path: Path
) -> None:
    for index, (room, seconds) in enumerate([("/b", 10), ("/a", 30), ("/c", 20)]):
        name = await transcript(api, tmp_path, f"tr-{index}", room=room, duration_ms=seconds * 1000)
        assert (await create(api, {"transcriptionId": name})).status_code == 201
    page = await api.client.get("/v1/summaries?limit=2&sortBy=roomName:asc", headers=api.auth)
    assert [s["roomName"] for s in page.json()["results"]] == ["/a", "/b"]
    rest = await api.client.get(
        f"/v1/summaries?limit=2&sortBy=roomName:asc&cursor={page.json()['cursor']}",
        headers=api.auth,
    )
    assert [s["roomName"] for s in rest.json()["results"]] == ["/c"]
    assert rest.json()["cursor"] is None

    listed = await api.client.get(
        "/v1/transcriptions?sortBy=durationInSeconds:desc", headers=api.auth
    )
    assert [(t["roomName"], t["durationInSeconds"]) for t in listed.json()["results"]] == [
        ("/a", 30), ("/c", 20), ("/b", 10),
    ]  # fmt: skip
    only = await api.client.get("/v1/transcriptions?roomName=/c", headers=api.auth)
    assert [t["transcriptionId"] for t in only.json()["results"]] == ["tr-2"]
    bulk = await api.client.post(
        "/v1/transcriptions/bulk-delete",
        json={"transcriptionIds": ["tr-0", "tr-1", "unknown"]},
        headers=api.auth,
    )
    assert bulk.status_code == 204
    left = await api.client.get("/v1/transcriptions", headers=api.auth)
    assert [t["transcriptionId"] for t in left.json()["results"]] == ["tr-2"]
    summaries = await api.client.get("/v1/summaries", headers=api.auth)
    assert [s["transcriptionId"] for s in summaries.json()["results"]] == ["tr-2"]
    gone = await api.client.get("/v1/transcriptions/tr-0", headers=api.auth)
    assert gone.status_code == 404
    assert gone.json()["error"] == "no transcription with id 'tr-0'"
    unknown = await api.client.post(
        "/v1/transcriptions", json={"recordingId": "nope"}, headers=api.auth
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "no recording with id 'nope'"


class StandIn:
    """An OpenAI-compatible endpoint's stand-in: keeps what it was sent, answers `reply`."""

    def __init__(self, reply: dict[str, Any] | None, status: int = 200) -> None:
        self.reply = reply
        self.status = status
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, dict(request.headers), await request.json()))
        if self.status != 200:
            return web.json_response({"error": {"message": "overloaded"}}, status=self.status)
        content = json.dumps(self.reply)
        return web.json_response(
            {"id": "x", "object": "chat.completion",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                          "finish_reason": "stop"}]}
        )  # fmt: skip


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, str]]:
    server = StandIn(
        {
            "summary": "Sam hurt a knee playing football.",
            "SOAP": {
                "subjective": "Sharp pain in the left knee.",
                "objective": "Swollen knee; blood pressure normal.",
                "assessment": "Sprained ligament.",
                "plan": "Ibuprofen; follow up next week.",
            },
        }
    )
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server, f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


async def test_an_llm_endpoint_writes_the_summary_from_the_request_salon_sends(
    api: Api, tmp_path: Path, stand_in: tuple[StandIn, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, url = stand_in
    transcription_id = await transcript(api, tmp_path, "tr-llm")
    created = await create(api, {"transcriptionId": transcription_id, "template": "SOAP"})
    llm = LlmSummariser(url, "tiny-model", KEY)
    done = await summarised(api, tmp_path, created.json()["summaryId"], llm)
    assert done["state"] == "ready"
    assert done["summary"] == {
        "summary": "Sam hurt a knee playing football.",
        "SOAP": {
            "subjective": "Sharp pain in the left knee.",
            "objective": "Swollen knee; blood pressure normal.",
            "assessment": "Sprained ligament.",
            "plan": "Ibuprofen; follow up next week.",
        },
    }
    [(path, headers, body)] = server.requests
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert body["model"] == "tiny-model"
    assert body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system"
    assert "'SOAP'" in system["content"]
    assert (
        '"SOAP" (an object with the strings subjective, objective, assessment, plan)'
        in (system["content"])
    )
    assert user["role"] == "user"
    assert "**[00:00:05] Sam:** i have had a sharp pain in my left knee" in user["content"]
    assert KEY not in caplog.text


async def test_an_llm_endpoint_that_fails_fails_the_summary_without_its_key(
    api: Api, tmp_path: Path, stand_in: tuple[StandIn, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, url = stand_in
    server.status = 503
    transcription_id = await transcript(api, tmp_path, "tr-down")
    created = await create(api, {"transcriptionId": transcription_id})
    llm = LlmSummariser(url, "tiny-model", KEY)
    done = await summarised(api, tmp_path, created.json()["summaryId"], llm)
    assert done["state"] == "failed"
    assert len(server.requests) == 2  # tried once more
    failed = await api.database.fetch_one(
        "SELECT error FROM summaries WHERE id = :id", {"id": done["summaryId"]}
    )
    assert failed is not None
    assert failed["error"] == "the summary endpoint answered 503"
    assert KEY not in caplog.text


async def test_a_deleted_transcripts_file_goes_and_its_link_stops_working(
    api: Api, tmp_path: Path
) -> None:
    transcription_id = await transcript(api, tmp_path, "tr-gone")
    link = await api.client.get(
        f"/v1/transcriptions/{transcription_id}/access-link?validForSeconds=60", headers=api.auth
    )
    path = link.json()["accessLink"].removeprefix("https://salon.test")
    assert (await api.client.get(path)).status_code == 200
    forged = path[:-4] + ("0000" if path[-4:] != "0000" else "1111")
    assert (await api.client.get(forged)).status_code == 404
    deleted = await api.client.delete(f"/v1/transcriptions/{transcription_id}", headers=api.auth)
    assert deleted.status_code == 204
    assert (await api.client.get(path)).status_code == 404
    runner = JobRunner(api.database, api.clock, slots=1, poll_s=0.05)
    runner.handle(REMOVE_JOB, RemovalJob(tmp_path, api.database))
    task = asyncio.create_task(runner.run())
    folder = tmp_path / "transcriptions" / transcription_id
    deadline = asyncio.get_running_loop().time() + WITHIN_S
    try:
        while folder.exists():
            assert asyncio.get_running_loop().time() < deadline, "the file is removed"
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    again = await api.client.delete(f"/v1/transcriptions/{transcription_id}", headers=api.auth)
    assert again.status_code == 204
