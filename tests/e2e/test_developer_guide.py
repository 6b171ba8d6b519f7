"""The developer guide's own samples, run against a real `salon serve`.

Each sample below is the guide's text ("Create a meeting": curl, Node fetch, Python requests;
"Verify an API key": curl --head). The text extraction in `embedded-developer-guide.txt` lost the
braces and brackets, the `API_KEY` definitions and the arguments of `requests.post`; they are
restored here as the guide shows them. The samples are then run with three substitutions only:

* the base URL `https://api.whereby.dev/v1` -> this server's `/v1`;
* the key (`YOUR_API_KEY`, or the shell variable `$API_KEY` of the curl sample) -> a Salon key;
* ONE DELIBERATE CHANGE: the dates' year 2021 -> 2099. The guide's `endDate` (2021-08-04) is in the
  past, which Salon answers with 400 (docs/whereby-compatibility.md, "Dates"); moving both dates
  by the same years keeps the sample's one-day meeting and its shape, and lets the echoed
  `startDate` be checked (Salon honours `startDate`).

The curl sample also gets `--write-out "\\n%{http_code}"`, as the only way to read its status.
"""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e.salon_process import SalonServer

GUIDE_BASE = "https://api.whereby.dev/v1"
START_DATE = "2099-08-03T17:04:00.000Z"
END_DATE = "2099-08-04T17:03:00.000Z"
SAMPLE_WITHIN_S = 30
NODE = "/usr/bin/node"

CURL_SAMPLE = """\
curl https://api.whereby.dev/v1/meetings \\
  --header "Authorization: Bearer $API_KEY" \\
  --header "Content-Type: application/json" \\
  --request POST \\
  --write-out "\\n%{http_code}" \\
  --data @- << EOF
{
  "startDate": "2021-08-03T17:04:00.000Z",
  "endDate": "2021-08-04T17:03:00.000Z",
  "fields": ["hostRoomUrl"]
}
EOF
"""

NODE_SAMPLE = """\
const fetch = require("node-fetch");

const API_KEY = "YOUR_API_KEY";

const data = {
  startDate: "2021-08-03T17:04:00.000Z",
  endDate: "2021-08-04T17:03:00.000Z",
  fields: ["hostRoomUrl"],
};

function getResponse() {
    return fetch("https://api.whereby.dev/v1/meetings", {
        method: "POST",
        headers: {
            Authorization: `Bearer ${API_KEY}`,
            "Content-Type": "application/json",
        },
        body: JSON.stringify(data),
    });
}

getResponse().then(async res => {
    console.log("Status code:", res.status);
    const data = await res.json();
    console.log("Room URL:", data.roomUrl);
    console.log("Host room URL:", data.hostRoomUrl);
});
"""

PYTHON_SAMPLE = """\
import requests
import json

API_KEY = "YOUR_API_KEY"

data = {
    "startDate": "2021-08-03T17:04:00.000Z",
    "endDate": "2021-08-04T17:03:00.000Z",
    "fields": ["hostRoomUrl"],
}

headers = {
    "Authorization": f"Bearer {API_KEY}",
    "Content-Type": "application/json",
}

response = requests.post(
    "https://api.whereby.dev/v1/meetings",
    headers=headers,
    json=data
)

print("Status code:", response.status_code)
data = json.loads(response.text)
print("Room URL:", data["roomUrl"])
print("Host room URL:", data["hostRoomUrl"])
"""

# The local stand-in for the `node-fetch` package: Node 20's built-in fetch, nothing downloaded.
NODE_FETCH_SHIM = "module.exports = (...a) => fetch(...a);\n"


def substitute(sample: str, base_url: str, key: str | None = None) -> str:
    """The guide's sample with this server's base URL, the key and the 2099 dates."""
    assert sample.count(GUIDE_BASE) == 1
    assert sample.count("2021-08-0") == 2
    text = sample.replace(GUIDE_BASE, f"{base_url}/v1").replace("2021-08-0", "2099-08-0")
    if key is not None:
        assert text.count("YOUR_API_KEY") == 1
        text = text.replace("YOUR_API_KEY", key)
    return text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    root = tmp_path_factory.mktemp("guide")
    with SalonServer.on(log_dir=root / "logs", data_dir=root / "data") as running:
        yield running


@pytest.fixture(scope="module")
def key(server: SalonServer) -> str:
    created = server.cli("keys", "create", "--name", "guide", "--json")
    assert created.returncode == 0, created.stderr
    value: str = json.loads(created.stdout)["key"]
    return value


def assert_room_urls(server: SalonServer, key: str, room_url: str, host_room_url: str) -> None:
    """`roomUrl` is this server's URL plus a room name, `hostRoomUrl` the same plus a
    `roomKey`, and the meeting is there to be listed with that URL."""
    match = re.fullmatch(re.escape(server.base_url) + r"/([a-z0-9-]+)", room_url)
    assert match, room_url
    assert re.fullmatch(re.escape(room_url) + r"\?roomKey=[^&\s]+", host_room_url), host_room_url
    listed = httpx.get(
        f"{server.base_url}/v1/meetings",
        headers={"Authorization": f"Bearer {key}"},
        params={"fields": "hostRoomUrl"},
    )
    assert listed.status_code == 200
    by_url = {m["roomUrl"]: m for m in listed.json()["results"]}
    assert room_url in by_url
    meeting: dict[str, Any] = by_url[room_url]
    assert meeting["roomName"] == f"/{match.group(1)}"
    assert meeting["startDate"] == START_DATE
    assert meeting["endDate"] == END_DATE


def printed(stdout: str) -> dict[str, str]:
    """The sample's `Label: value` lines."""
    lines = [line.partition(": ") for line in stdout.splitlines() if ": " in line]
    return {label: value.strip() for label, _, value in lines}


def test_curl_sample_creates_a_meeting(server: SalonServer, key: str, tmp_path: Path) -> None:
    script = tmp_path / "create-meeting.sh"
    script.write_text(substitute(CURL_SAMPLE, server.base_url))
    ran = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "API_KEY": key},
        timeout=SAMPLE_WITHIN_S,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    body, _, status = ran.stdout.rpartition("\n")
    assert status == "201", ran.stdout
    meeting = json.loads(body)
    assert meeting["startDate"] == START_DATE
    assert meeting["endDate"] == END_DATE
    assert isinstance(meeting["meetingId"], str)
    assert meeting["roomUrl"] == server.base_url + meeting["roomName"]
    assert "viewerRoomUrl" not in meeting
    assert_room_urls(server, key, meeting["roomUrl"], meeting["hostRoomUrl"])


def test_python_requests_sample_creates_a_meeting(
    server: SalonServer, key: str, tmp_path: Path
) -> None:
    script = tmp_path / "create_meeting.py"
    script.write_text(substitute(PYTHON_SAMPLE, server.base_url, key))
    ran = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=SAMPLE_WITHIN_S,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    lines = printed(ran.stdout)
    assert lines["Status code"] == "201"
    assert_room_urls(server, key, lines["Room URL"], lines["Host room URL"])


def test_node_fetch_sample_creates_a_meeting(server: SalonServer, key: str, tmp_path: Path) -> None:
    shim = tmp_path / "node_modules" / "node-fetch"
    shim.mkdir(parents=True)
    (shim / "index.js").write_text(NODE_FETCH_SHIM)
    script = tmp_path / "create-meeting.js"
    script.write_text(substitute(NODE_SAMPLE, server.base_url, key))
    ran = subprocess.run(
        [NODE, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=SAMPLE_WITHIN_S,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    lines = printed(ran.stdout)
    assert lines["Status code"] == "201"
    assert_room_urls(server, key, lines["Room URL"], lines["Host room URL"])


def curl_head_status(url: str, key: str) -> str:
    """The troubleshooting section's `curl …/v1/hello --head -H "Authorization: Bearer KEY"`."""
    ran = subprocess.run(
        ["curl", url, "--head", "-H", f"Authorization: Bearer {key}"],
        capture_output=True,
        text=True,
        timeout=SAMPLE_WITHIN_S,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    status_line = ran.stdout.splitlines()[0]
    assert status_line.startswith("HTTP/"), ran.stdout
    return status_line.split()[1]


def test_verify_an_api_key_with_curl_head(server: SalonServer, key: str) -> None:
    url = f"{server.base_url}/v1/hello"
    assert curl_head_status(url, key) == "200"


@pytest.mark.parametrize(
    "wrong",
    [
        "API_KEY",
        "salon_aaaaaaaaaaaa_" + "A" * 43,
    ],
    ids=["placeholder", "well-formed-unknown"],
)
def test_verify_a_wrong_api_key_with_curl_head(server: SalonServer, key: str, wrong: str) -> None:
    url = f"{server.base_url}/v1/hello"
    assert curl_head_status(url, wrong) == "401"
    # The right key's id with a wrong secret is refused too.
    key_id = key.split("_")[1]
    assert curl_head_status(url, f"salon_{key_id}_" + "B" * 43) == "401"
