"""The extractive summariser and the templates' shapes (pure)."""

import pytest

from salon.errors import InvalidInput
from salon.summaries.extractive import summarise, units_of
from salon.summaries.model import (
    DEFAULT_TEMPLATE,
    SOAP_KEYS,
    TEMPLATE_KEYS,
    Template,
    conform,
    empty_summary,
    parse_template,
)
from salon.transcription.model import Line

VISIT = [
    Line(0, 4, "Dr Grey", "good morning what brings you in today"),
    Line(5, 9, "Sam", "i have had a sharp pain in my left knee since the football match"),
    Line(10, 14, "Dr Grey",
         "your blood pressure is one twenty over eighty and the knee is swollen"),
    Line(15, 19, "Dr Grey", "this is likely a sprained ligament in the knee"),
    Line(20, 24, "Dr Grey",
         "i will prescribe ibuprofen four hundred mg and we schedule a follow up next week"),
    Line(25, 27, "Sam", "thank you doctor"),
]  # fmt: skip

LECTURE = [
    Line(0, 5, "Prof", "photosynthesis turns light into chemical energy in the chloroplast"),
    Line(6, 9, "Prof", "the chloroplast holds chlorophyll which absorbs red and blue light"),
    Line(10, 14, "Prof", "the light reactions make oxygen and the calvin cycle makes sugar"),
    Line(15, 18, "Student", "why is the leaf green then"),
    Line(19, 24, "Prof", "green light is reflected by chlorophyll so the leaf looks green"),
    Line(25, 28, "Prof", "next week read chapter four on the calvin cycle"),
]


def test_every_template_has_its_keys_and_the_default_is_general_bulleted() -> None:
    assert DEFAULT_TEMPLATE is Template.GENERAL_BULLETED
    assert parse_template(None) is Template.GENERAL_BULLETED
    assert [t.value for t in Template] == [
        "SOAP", "Extended SOAP", "General Narrative", "General Bulleted", "Educational Lecture",
        "Educational Tutoring",
    ]  # fmt: skip
    for template in Template:
        made = summarise(template, VISIT)
        assert tuple(made) == TEMPLATE_KEYS[template]
        assert made["summary"]
    assert tuple(summarise(Template.SOAP, VISIT)["SOAP"]) == SOAP_KEYS


def test_an_unknown_template_is_refused_naming_the_six() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_template("Haiku")
    assert refused.value.message == (
        "template must be one of SOAP, Extended SOAP, General Narrative, General Bulleted,"
        " Educational Lecture, Educational Tutoring"
    )


def test_the_bulleted_summary_keeps_the_distinctive_turns_in_order_with_speakers() -> None:
    bullets = summarise(Template.GENERAL_BULLETED, VISIT)["summary"].splitlines()
    assert all(line.startswith("- ") for line in bullets)
    assert 3 <= len(bullets) <= 8
    assert not any("thank you doctor" in line for line in bullets)  # nothing distinctive
    assert any(line.startswith("- Sam: i have had a sharp pain") for line in bullets)
    knee = [index for index, line in enumerate(bullets) if "knee" in line]
    assert knee == sorted(knee)


def test_soap_sections_take_the_turns_that_match_them() -> None:
    soap = summarise(Template.SOAP, VISIT)["SOAP"]
    assert "sharp pain" in soap["subjective"]
    assert "blood pressure" in soap["objective"]
    assert "sprained ligament" in soap["assessment"]
    assert "prescribe ibuprofen" in soap["plan"]
    extended = summarise(Template.EXTENDED_SOAP, VISIT)
    assert "sharp pain" in extended["chiefComplaint"]
    assert any("ibuprofen" in item for item in extended["medications"])
    assert any("follow up" in item for item in extended["followUp"])


def test_lecture_and_tutoring_name_concepts_questions_and_next_steps() -> None:
    lecture = summarise(Template.EDUCATIONAL_LECTURE, LECTURE)
    assert {"chlorophyll", "chloroplast", "light"} <= set(lecture["keyConcepts"])
    assert lecture["keyPoints"]
    tutoring = summarise(Template.EDUCATIONAL_TUTORING, LECTURE)
    assert tutoring["questions"] == ["Student: why is the leaf green then"]
    assert any("chapter four" in step for step in tutoring["nextSteps"])


def test_the_narrative_is_prose() -> None:
    narrative = summarise(Template.GENERAL_NARRATIVE, VISIT)["summary"]
    assert "\n" not in narrative
    assert "Sam said: i have had a sharp pain" in narrative


def test_an_empty_transcript_says_so_in_the_templates_shape() -> None:
    made = summarise(Template.SOAP, [])
    assert made == {"summary": "Nothing was said.", "SOAP": dict.fromkeys(SOAP_KEYS, "")}


def test_long_turns_are_cut_into_units_and_punctuated_ones_into_sentences() -> None:
    words = " ".join(f"w{i}" for i in range(70))
    assert [len(u.words) for u in units_of([Line(0, 1, "A", words)])] == [30, 30, 10]
    sentences = units_of([Line(0, 1, "A", "First point. Second point? Third!")])
    assert [u.text for u in sentences] == ["First point.", "Second point?", "Third!"]


def test_an_llm_answer_is_put_in_the_templates_shape() -> None:
    answer = {
        "summary": ["one", "two"],
        "SOAP": {"subjective": "s", "objective": None, "plan": 3, "extra": "x"},
        "unasked": "dropped",
    }
    assert conform(Template.SOAP, answer) == {
        "summary": "one\ntwo",
        "SOAP": {"subjective": "s", "objective": "", "assessment": "", "plan": "3"},
    }
    assert conform(Template.EDUCATIONAL_LECTURE, {"summary": "s", "keyConcepts": "one"}) == {
        "summary": "s",
        "keyConcepts": ["one"],
        "keyPoints": [],
    }
    with pytest.raises(ValueError, match="no summary"):
        conform(Template.GENERAL_BULLETED, {"text": "x"})
    assert empty_summary(Template.GENERAL_NARRATIVE) == {"summary": ""}
