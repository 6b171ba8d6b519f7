"""The serve flags of transcription and summaries: read from flags and the environment, the
summary endpoint's key from the environment only and never in the settings' repr, and a
misconfiguration refused with a sentence for the operator."""

from pathlib import Path

import pytest

from salon.config import load_settings
from salon.errors import InvalidInput
from salon.summaries.llm import LlmSummariser, completions_url
from salon.summaries.summariser import ExtractiveSummariser, build_summariser
from salon.transcription.engine import EngineUnavailable, build_engine
from salon.transcription.pocketsphinx_engine import PocketsphinxEngine

KEY = "sk-from-the-environment"


def test_the_summary_flags_and_key_are_read_and_the_key_stays_out_of_repr() -> None:
    settings = load_settings(
        {"summary_llm_url": "http://127.0.0.1:9/v1", "summary_llm_model": "small"},
        {"SALON_SUMMARY_LLM_KEY": KEY, "SALON_TRANSCRIPTION_MODEL": "/models/whisper"},
    )
    assert settings.summary_llm_key == KEY
    assert settings.transcription_model == "/models/whisper"
    assert KEY not in repr(settings)
    summariser = build_summariser(
        settings.summary_llm_url, settings.summary_llm_model, settings.summary_llm_key
    )
    assert isinstance(summariser, LlmSummariser)
    assert summariser.name == "llm:small"


def test_without_an_endpoint_summaries_are_extractive() -> None:
    assert isinstance(build_summariser(None, None, KEY), ExtractiveSummariser)


@pytest.mark.parametrize(
    ("url", "model", "message"),
    [
        ("ftp://x", "m", "--summary-llm-url must be an http:// or https:// URL"),
        ("http://x/v1", None, "--summary-llm-url needs --summary-llm-model (the model's name)"),
    ],
)
def test_a_bad_summary_endpoint_is_refused(url: str, model: str | None, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        build_summariser(url, model, None)
    assert refused.value.message == message


def test_completions_url_accepts_the_base_or_the_full_path() -> None:
    assert completions_url("http://h/v1/") == "http://h/v1/chat/completions"
    assert completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"


def test_the_default_engine_is_pocketsphinx_and_a_folder_without_a_model_is_refused(
    tmp_path: Path,
) -> None:
    assert isinstance(build_engine(None), PocketsphinxEngine)
    with pytest.raises(EngineUnavailable) as refused:
        build_engine(str(tmp_path))
    assert refused.value.message == (
        f"--transcription-model {tmp_path}: no CTranslate2 model.bin in that folder"
    )
