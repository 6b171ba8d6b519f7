"""Salon's own summariser: extractive, so it runs anywhere and invents nothing. Pure.

The transcript's turns are cut into units (sentences when the engine punctuates, otherwise
stretches of at most `UNIT_WORDS` words); each unit is scored by how often the transcript uses
its content words (stop words left out), divided by the square root of its length so that long
units do not win by size alone; the best units are kept in the order they were spoken, each with
its speaker. Template sections (SOAP's four, action items, questions) take the best units whose
words match the section's cue words.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from salon.summaries.model import SOAP_KEYS, Template, empty_summary
from salon.transcription.model import Line

UNIT_WORDS = 30
MAX_POINTS = 8
SECTION_POINTS = 3
TERMS = 8

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just let me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    yes yeah okay ok oh uh um ah er hmm well like really just also going get got know think
    thing things one two go said say says right also gonna want lot""".split()  # noqa: SIM905
)

_CUES: dict[str, tuple[str, ...]] = {
    "subjective": ("feel", "pain", "hurt", "worr", "complain", "since", "symptom", "sleep",
                   "tired", "ache", "i have", "i've", "my "),
    "objective": ("pressure", "temperature", "pulse", "rate", "weight", "measur", "exam",
                  "result", "test", "level", "degrees", "percent", "normal", "observ"),
    "assessment": ("diagnos", "likely", "probably", "assess", "seems", "consistent", "suggest",
                   "infection", "condition", "looks like", "i think"),
    "plan": ("will", "plan", "prescri", "schedule", "follow up", "next", "start", "continue",
             "refer", "should", "recommend", "let's", "need to"),
    "medications": ("mg", "milligram", "medication", "medicine", "prescri", "tablet", "dose",
                    "pill", "antibiotic", "ibuprofen", "paracetamol"),
    "followUp": ("follow up", "next week", "next month", "return", "appointment", "check back",
                 "come back", "in two weeks", "schedule"),
    "questions": ("?", "what ", "why ", "how ", "can you", "could you", "does ", "is it",
                  "do i", "should i", "question"),
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Unit:
    index: int
    speaker: str
    text: str
    words: tuple[str, ...]

    @property
    def point(self) -> str:
        return f"{self.speaker}: {self.text}"


def units_of(lines: list[Line]) -> list[Unit]:
    units: list[Unit] = []
    for line in lines:
        for sentence in _SENTENCE.split(line.text.strip()):
            words = sentence.split()
            for start in range(0, len(words), UNIT_WORDS):
                text = " ".join(words[start : start + UNIT_WORDS])
                found = tuple(_WORD.findall(text.lower()))
                if found:
                    units.append(Unit(len(units), line.speaker, text, found))
    return units


def content_words(words: tuple[str, ...]) -> list[str]:
    return [word for word in words if word not in STOP_WORDS and len(word) > 2]


def score(unit: Unit, frequencies: Counter[str]) -> float:
    content = content_words(unit.words)
    if not content:
        return 0.0
    return sum(frequencies[word] for word in content) / math.sqrt(len(unit.words))


def best(units: list[Unit], frequencies: Counter[str], count: int) -> list[Unit]:
    """The `count` best-scored units, in the order they were spoken."""
    ranked = sorted(units, key=lambda unit: (-score(unit, frequencies), unit.index))
    chosen = [unit for unit in ranked[:count] if score(unit, frequencies) > 0]
    return sorted(chosen, key=lambda unit: unit.index)


def matching(units: list[Unit], section: str) -> list[Unit]:
    cues = _CUES[section]
    return [unit for unit in units if any(cue in f" {unit.text.lower()} " for cue in cues)]


def key_terms(frequencies: Counter[str], count: int = TERMS) -> list[str]:
    """The most used content words (ties: alphabetical), only those said more than once when
    there are enough of those."""
    ranked = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))
    repeated = [word for word, times in ranked if times > 1]
    return (repeated if len(repeated) >= 3 else [word for word, _ in ranked])[:count]


def summarise(template: Template, lines: list[Line]) -> dict[str, Any]:
    """The template's summary object, made of the transcript's own words."""
    shaped = empty_summary(template)
    units = units_of(lines)
    if not units:
        shaped["summary"] = "Nothing was said."
        return shaped
    frequencies = Counter(word for unit in units for word in content_words(unit.words))
    points = best(units, frequencies, min(MAX_POINTS, max(3, len(units) // 5)))
    if template is Template.GENERAL_NARRATIVE:
        shaped["summary"] = " ".join(f"{u.speaker} said: {_sentence(u.text)}" for u in points)
    else:
        shaped["summary"] = "\n".join(f"- {unit.point}" for unit in points)

    def section(name: str, count: int = SECTION_POINTS) -> list[str]:
        return [unit.point for unit in best(matching(units, name), frequencies, count)]

    if template in (Template.SOAP, Template.EXTENDED_SOAP):
        shaped["SOAP"] = {name: "\n".join(section(name)) for name in SOAP_KEYS}
    if template is Template.EXTENDED_SOAP:
        complaint = section("subjective", 1)
        shaped["chiefComplaint"] = complaint[0] if complaint else ""
        shaped["medications"] = section("medications")
        shaped["followUp"] = section("followUp")
    if template is Template.EDUCATIONAL_LECTURE:
        shaped["keyConcepts"] = key_terms(frequencies)
        shaped["keyPoints"] = [unit.point for unit in points]
    if template is Template.EDUCATIONAL_TUTORING:
        shaped["topicsCovered"] = key_terms(frequencies)
        shaped["questions"] = section("questions", MAX_POINTS)
        shaped["nextSteps"] = section("plan")
    return shaped


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
