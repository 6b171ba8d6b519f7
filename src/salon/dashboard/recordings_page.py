"""Recordings: the organization's cloud recordings (room, start, length, size, state), each kept
by Salon played in the page and downloadable, and deleted after a confirmation; beside each, its
transcripts (state, a link to read one), and below, the transcripts no recording shown has (live
transcriptions, or a recording deleted since).

    page ──► <video src=recordings/{id}/file> ──► 303 to a fresh signed access link
             (the `/v1/recordings` one, same origin: the CSP's 'self') ──► the file, with ranges
"""

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import HEADERS, flash, message_page, page
from salon.dashboard.transcripts_page import HERE as TRANSCRIPTS
from salon.dashboard.web import PREFIX, redirect, require, signed_in_form
from salon.errors import Forbidden
from salon.recording.model import ACCESS_LINK_DEFAULT_S
from salon.services import services_of
from salon.transcription.model import Transcription

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/recordings"
SHOWN = 100
NOTICES = {"deleted": "Recording deleted; its files are removed in the background."}


@router.get("/recordings")
async def recordings_page(request: Request) -> Response:
    viewer = await require(request, Area.RECORDINGS)
    services = services_of(request)
    found = await services.recordings.recent(viewer.org.org_id, SHOWN + 1)
    recordings = found[:SHOWN]
    transcripts = await services.transcriptions.recent(viewer.org.org_id, SHOWN)
    shown_ids = {recording.id for recording in recordings}
    by_recording: dict[str, list[Transcription]] = {}
    others: list[Transcription] = []
    for transcription in transcripts:
        if transcription.recording_id in shown_ids:
            by_recording.setdefault(transcription.recording_id, []).append(transcription)
        else:
            others.append(transcription)
    return page(
        request,
        "recordings.html",
        viewer=viewer,
        area=Area.RECORDINGS,
        here=HERE,
        flash=flash(request, NOTICES),
        recordings=recordings,
        more=len(found) > SHOWN,
        shown=SHOWN,
        transcripts=by_recording,
        other_transcripts=others,
        transcripts_at=TRANSCRIPTS,
    )


@router.get("/recordings/{recording_id}/file")
async def recording_file(request: Request, recording_id: str) -> Response:
    """The player's and the download link's source: a signed link made now, so that a page left
    open for hours still plays. Another organization's recording, or one not ready, is a 404."""
    viewer = await require(request, Area.RECORDINGS)
    try:
        link = await services_of(request).recordings.access_link(
            viewer.org.org_id, recording_id, ACCESS_LINK_DEFAULT_S
        )
    except Forbidden as refused:
        return message_page(request, "Kept in your S3 bucket", refused.message, 403, viewer)
    parts = urlsplit(str(link["accessLink"]))
    return RedirectResponse(f"{parts.path}?{parts.query}", status_code=303, headers=HEADERS)


@router.post("/recordings/{recording_id}/delete")
async def delete_recording(request: Request, recording_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.RECORDINGS)
    await services_of(request).recordings.delete(viewer.org.org_id, [recording_id])
    return redirect(HERE, notice="deleted")
