"""`--janus` picks the SFU in the composition root: none when off or when auto finds no `janus`
binary (group rooms are then refused), a managed Janus when auto finds one, external instances
for URLs; a bad value stops the start with a message."""

import pytest

import salon.app
from salon.app import build_group_media, build_ice_servers
from salon.config import Settings
from salon.errors import InvalidInput


def test_off_means_no_sfu() -> None:
    assert build_group_media(Settings(janus="off")) is None


def test_auto_without_a_janus_binary_means_no_sfu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(salon.app, "janus_binary", lambda: None)
    assert build_group_media(Settings(janus="auto")) is None


def test_auto_with_a_janus_binary_manages_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(salon.app, "janus_binary", lambda: "/usr/bin/janus")
    bridge = build_group_media(Settings(janus="auto", data_dir="/srv/salon"))
    assert bridge is not None
    [instance] = bridge._pool.instances.values()
    assert instance.process is not None
    assert str(instance.process.folder) == "/srv/salon/janus"


def test_urls_mean_external_instances() -> None:
    bridge = build_group_media(Settings(janus="ws://a:8188, ws://b:8188", janus_admin_key="k"))
    assert bridge is not None
    instances = list(bridge._pool.instances.values())
    assert [(i.url, i.admin_key, i.process) for i in instances] == [
        ("ws://a:8188", "k", None),
        ("ws://b:8188", "k", None),
    ]


def test_a_bad_janus_value_or_turn_setting_is_refused() -> None:
    with pytest.raises(
        InvalidInput,
        match=r"^--janus: a Janus instance is a ws:// or wss:// URL, not 'on' \(or auto, or off\)$",
    ):
        build_group_media(Settings(janus="on"))
    with pytest.raises(InvalidInput, match=r"^TURN URLs need a TURN secret \(--turn-secret\)$"):
        build_ice_servers(Settings(turn_urls="turn:t:3478"))
