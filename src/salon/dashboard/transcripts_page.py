"""Transcripts and their summaries: one transcript read in the page (speaker, time, words) with
its summary's template and keys, and its Markdown file downloaded through a fresh signed link.
Owners only, like the recordings they come from; another organization's transcript is a 404.

The transcript is user content (names people typed, words an engine heard): the page shows only
the lines Salon writes, read back into fields (`parse_markdown`) and escaped by the template;
nothing of the file reaches the page as markup.
"""

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import HEADERS, page
from salon.dashboard.web import PREFIX, require
from salon.recording.model import ACCESS_LINK_DEFAULT_S
from salon.services import services_of
from salon.transcription.model import clock_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/transcripts"


@router.get("/transcripts/{transcription_id}")
async def transcript_page(request: Request, transcription_id: str) -> Response:
    viewer = await require(request, Area.RECORDINGS)
    services = services_of(request)
    org_id = viewer.org.org_id
    transcription, lines = await services.transcriptions.lines(org_id, transcription_id)
    summaries = await services.summaries.of_transcription(org_id, transcription_id)
    return page(
        request,
        "transcript.html",
        viewer=viewer,
        area=Area.RECORDINGS,
        here=HERE,
        transcription=transcription,
        lines=[(clock_of(line.start_s), line.speaker, line.text) for line in lines],
        summaries=summaries,
    )


@router.get("/transcripts/{transcription_id}/file")
async def transcript_file(request: Request, transcription_id: str) -> Response:
    """The Markdown file, through a signed link made now (the `/v1/transcriptions` one, same
    origin). Another organization's transcript, or one not ready, is a 404."""
    viewer = await require(request, Area.RECORDINGS)
    link = await services_of(request).transcriptions.access_link(
        viewer.org.org_id, transcription_id, ACCESS_LINK_DEFAULT_S
    )
    parts = urlsplit(str(link["accessLink"]))
    return RedirectResponse(f"{parts.path}?{parts.query}", status_code=303, headers=HEADERS)
