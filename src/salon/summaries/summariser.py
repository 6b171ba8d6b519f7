"""What writes a summary: Salon's extractive summariser (the default) or a language model
behind an OpenAI-compatible endpoint, picked from the settings."""

from typing import Any, Protocol

from salon.summaries import extractive
from salon.summaries.model import Template
from salon.transcription.model import parse_markdown


class Summariser(Protocol):
    name: str

    async def summarise(self, template: Template, transcript: str) -> dict[str, Any]:
        """The template's summary object for a Markdown transcript Salon wrote."""
        ...


class ExtractiveSummariser:
    name = "extractive"

    async def summarise(self, template: Template, transcript: str) -> dict[str, Any]:
        return extractive.summarise(template, parse_markdown(transcript))


def build_summariser(url: str | None, model: str | None, key: str | None) -> Summariser:
    if not url:
        return ExtractiveSummariser()
    from salon.errors import InvalidInput
    from salon.summaries.llm import LlmSummariser

    if not url.startswith(("http://", "https://")):
        raise InvalidInput("--summary-llm-url must be an http:// or https:// URL")
    if not model:
        raise InvalidInput("--summary-llm-url needs --summary-llm-model (the model's name)")
    return LlmSummariser(url, model, key)
