"""Times under `/v1` are ISO 8601 UTC with milliseconds, webhook views included."""

from salon.api.webhook_shapes import DeliveryOut, render_delivery, render_endpoint

AT = 1_772_366_400_123  # 2026-03-01T12:00:00.123Z


def test_an_endpoints_times_are_iso() -> None:
    view = {"id": "wh_1", "createdAt": AT, "updatedAt": AT + 1000, "enabled": True}
    assert render_endpoint(view) == {
        "id": "wh_1",
        "createdAt": "2026-03-01T12:00:00.123Z",
        "updatedAt": "2026-03-01T12:00:01.123Z",
        "enabled": True,
    }


def test_a_deliverys_times_and_its_attempts_times_are_iso_and_nulls_stay_null() -> None:
    view = {
        "id": "dl_1",
        "eventId": "e" * 64,
        "eventType": "room.client.joined",
        "endpointId": "wh_1",
        "status": "delivered",
        "attempts": [
            {"number": 1, "at": AT, "status": 503, "latencyMs": 4, "error": None, "response": ""},
            {"number": 2, "at": AT + 2000, "status": 200, "latencyMs": 3, "error": None,
             "response": "ok"},
        ],
        "nextAttemptAt": None,
        "lastStatus": 200,
        "lastError": None,
        "lastLatencyMs": 3,
        "replayOf": None,
        "createdAt": AT,
        "finishedAt": AT + 2000,
    }  # fmt: skip
    rendered = render_delivery(view)
    assert [one["at"] for one in rendered["attempts"]] == [
        "2026-03-01T12:00:00.123Z",
        "2026-03-01T12:00:02.123Z",
    ]
    assert (rendered["createdAt"], rendered["finishedAt"], rendered["nextAttemptAt"]) == (
        "2026-03-01T12:00:00.123Z",
        "2026-03-01T12:00:02.123Z",
        None,
    )
    DeliveryOut.model_validate(rendered)  # the documented shape is the rendered one
    assert render_delivery({**view, "attempts": 2})["attempts"] == 2
