"""Summaries and their templates: which keys each template's summary object has, and the
Summary object on the wire. Pure."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from salon.errors import InvalidInput
from salon.ids import OrgId, RoomName, RoomSessionId
from salon.meetings.model import format_date_time


class Template(StrEnum):
    SOAP = "SOAP"
    EXTENDED_SOAP = "Extended SOAP"
    GENERAL_NARRATIVE = "General Narrative"
    GENERAL_BULLETED = "General Bulleted"
    EDUCATIONAL_LECTURE = "Educational Lecture"
    EDUCATIONAL_TUTORING = "Educational Tutoring"


DEFAULT_TEMPLATE = Template.GENERAL_BULLETED

SOAP_KEYS = ("subjective", "objective", "assessment", "plan")
TEMPLATE_KEYS: dict[Template, tuple[str, ...]] = {
    Template.GENERAL_BULLETED: ("summary",),
    Template.GENERAL_NARRATIVE: ("summary",),
    Template.SOAP: ("summary", "SOAP"),
    Template.EXTENDED_SOAP: ("summary", "SOAP", "chiefComplaint", "medications", "followUp"),
    Template.EDUCATIONAL_LECTURE: ("summary", "keyConcepts", "keyPoints"),
    Template.EDUCATIONAL_TUTORING: ("summary", "topicsCovered", "questions", "nextSteps"),
}
"""The keys of each template's summary object: `summary` (text) always; `SOAP` an object with
`SOAP_KEYS` (text each); `chiefComplaint` text; the others lists of text."""
TEXT_KEYS = frozenset({"summary", "chiefComplaint"})


class SummaryState(StrEnum):
    IN_PROGRESS = "in_progress"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Summary:
    id: str
    org_id: OrgId
    transcription_id: str
    template: Template
    state: SummaryState
    summary: dict[str, Any]
    created_ms: int
    modified_ms: int
    summariser: str
    error: str | None
    # of its transcription:
    room_name: RoomName
    room_session_id: RoomSessionId | None
    started_ms: int
    ended_ms: int


def parse_template(value: str | None) -> Template:
    if value is None:
        return DEFAULT_TEMPLATE
    try:
        return Template(value)
    except ValueError:
        names = ", ".join(template.value for template in Template)
        raise InvalidInput(f"template must be one of {names}") from None


def empty_summary(template: Template) -> dict[str, Any]:
    """The shape of the template's summary object with nothing in it (before it is written)."""
    shaped: dict[str, Any] = {}
    for key in TEMPLATE_KEYS[template]:
        if key == "SOAP":
            shaped[key] = dict.fromkeys(SOAP_KEYS, "")
        elif key in TEXT_KEYS:
            shaped[key] = ""
        else:
            shaped[key] = []
    return shaped


def conform(template: Template, found: dict[str, Any]) -> dict[str, Any]:
    """`found` (an LLM's answer) in the template's shape: its keys only, each of its type,
    missing ones empty. `ValueError` when nothing of the shape is there."""
    shaped = empty_summary(template)
    for key, blank in shaped.items():
        value = found.get(key)
        if isinstance(blank, dict):
            if isinstance(value, dict):
                shaped[key] = {part: _text(value.get(part)) for part in SOAP_KEYS}
        elif isinstance(blank, str):
            shaped[key] = _text(value)
        elif isinstance(value, list):
            shaped[key] = [_text(item) for item in value if _text(item)]
        elif isinstance(value, str) and value.strip():
            shaped[key] = [value.strip()]
    if not shaped["summary"]:
        raise ValueError("the answer has no summary")
    return shaped


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    return str(value).strip()


def render_summary(summary: Summary) -> dict[str, object]:
    """Whereby's Summary object."""
    return {
        "summaryId": summary.id,
        "transcriptionId": summary.transcription_id,
        "summary": summary.summary,
        "roomSessionId": summary.room_session_id or "",
        "roomName": summary.room_name,
        "startDate": format_date_time(summary.started_ms),
        "endDate": format_date_time(summary.ended_ms),
        "state": summary.state.value,
        "createdAt": format_date_time(summary.created_ms),
        "modifiedAt": format_date_time(summary.modified_ms),
        "template": summary.template.value,
    }
