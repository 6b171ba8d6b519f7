"""`salon serve --log-format json` as a real process: every line on stderr is one JSON object,
access lines carry the request's id (the caller's `X-Request-Id`), and secrets are redacted."""

import json
from pathlib import Path

import httpx

from e2e.salon_process import SalonServer, run_cli

ROOM_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiaG9zdCJ9.c2lnbmF0dXJl"


def test_json_lines_with_request_ids_and_no_secrets(tmp_path: Path) -> None:
    extra = ["--log-format", "json", "--access-log", "--log-level", "info", "--janus", "off"]
    server = SalonServer.on(log_dir=tmp_path / "logs", data_dir=tmp_path / "data", extra_args=extra)
    with server:
        key = server.first_key
        assert key is not None
        answer = httpx.get(
            f"{server.base_url}/v1/hello?roomKey={ROOM_KEY}",
            headers={"Authorization": f"Bearer {key}", "X-Request-Id": "req-0042"},
        )
        assert answer.status_code == 200
        assert answer.headers["x-request-id"] == "req-0042"
        fresh = httpx.get(f"{server.base_url}/healthz", headers={"X-Request-Id": "no spaces!"})
        assert len(fresh.headers["x-request-id"]) == 32  # an unusable id is replaced
    lines = [json.loads(line) for line in server.stderr.splitlines() if line.strip()]
    assert lines, server.stderr
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    [hello] = [line for line in lines if line.get("request_id") == "req-0042"]
    assert hello["logger"] == "uvicorn.access"
    assert "/v1/hello?roomKey=[redacted]" in hello["message"]
    assert ROOM_KEY not in server.stderr
    assert key.split("_")[2] not in server.stderr


def test_an_unknown_log_format_from_the_environment_is_refused(tmp_path: Path) -> None:
    ran = run_cli("keys", "list", data_dir=tmp_path, env={"SALON_LOG_FORMAT": "xml"})
    assert ran.returncode == 2
    assert ran.stderr == "salon: the log format must be one of text, json\n"
