"""Summaries written by a language model behind an OpenAI-compatible endpoint
(`--summary-llm-url`, `--summary-llm-model`, key from `SALON_SUMMARY_LLM_KEY`).

One `POST <url>/chat/completions` per summary: a system message that names the template's keys
and asks for a JSON object, the transcript as the user message, temperature 0 and
`response_format: json_object`. The answer is put in the template's shape (`conform`); anything
else fails the summary with a fixed sentence (the key is never logged or kept in an error).
"""

import json
from typing import Any

import aiohttp

from salon.summaries.model import SOAP_KEYS, TEMPLATE_KEYS, TEXT_KEYS, Template, conform

TIMEOUT_S = 300.0
MAX_TRANSCRIPT_CHARS = 200_000


class SummaryFailed(Exception):
    """The endpoint did not give a summary; `str()` says why, without the key."""


def completions_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


def instructions(template: Template) -> str:
    keys = []
    for key in TEMPLATE_KEYS[template]:
        if key == "SOAP":
            keys.append(f'"SOAP" (an object with the strings {", ".join(SOAP_KEYS)})')
        elif key in TEXT_KEYS:
            keys.append(f'"{key}" (a string)')
        else:
            keys.append(f'"{key}" (a list of strings)')
    return (
        f"You summarise meeting transcripts with the template {template.value!r}."
        " Each transcript line is '[time] speaker: words'. Use only what was said."
        f" Answer with one JSON object with exactly these keys: {'; '.join(keys)}."
    )


def request_body(model: str, template: Template, transcript: str) -> dict[str, Any]:
    return {
        "model": model,
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": instructions(template)},
            {"role": "user", "content": transcript[:MAX_TRANSCRIPT_CHARS]},
        ],
    }


class LlmSummariser:
    def __init__(self, url: str, model: str, key: str | None) -> None:
        self._url = completions_url(url)
        self._model = model
        self._key = key
        self.name = f"llm:{model}"

    async def summarise(self, template: Template, transcript: str) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        body = request_body(self._model, template, transcript)
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self._url, json=body, headers=headers) as response,
            ):
                if response.status != 200:
                    raise SummaryFailed(f"the summary endpoint answered {response.status}")
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise SummaryFailed(
                f"the summary endpoint could not be reached or read ({type(error).__name__})"
            ) from None
        try:
            content = answer["choices"][0]["message"]["content"]
            found = json.loads(content)
            if not isinstance(found, dict):
                raise ValueError("not an object")
            return conform(template, found)
        except (KeyError, IndexError, TypeError, ValueError):
            raise SummaryFailed(
                "the summary endpoint's answer is not a JSON object of the template"
            ) from None
