from helpers import Api


async def test_create_then_get(api: Api) -> None:
    created = await api.client.post(
        "/v1/meetings", json={"endDate": api.future()}, headers=api.auth
    )
    assert created.status_code == 201
    meeting_id = created.json()["meetingId"]
    fetched = await api.client.get(f"/v1/meetings/{meeting_id}", headers=api.auth)
    assert fetched.json() == created.json()
