"""The configuration of a managed Janus: the VideoRoom plugin and the WebSocket transport only, on
127.0.0.1, with the secrets and the RTP range it is given, readable by its owner only."""

import re
import stat
from pathlib import Path

from salon.sfu.process import write_config


def test_a_managed_janus_listens_on_loopback_with_only_what_salon_uses(tmp_path: Path) -> None:
    folder = tmp_path / "janus"
    write_config(
        folder,
        ws_port=18188,
        admin_secret="admin-s3cret",
        admin_key="key-s3cret",
        rtp_ports="30000-30100",
        library_dir=Path("/usr/lib/x86_64-linux-gnu/janus"),
        nat_1_1="203.0.113.7",
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "janus.jcfg",
        "janus.plugin.videoroom.jcfg",
        "janus.transport.websockets.jcfg",
    ]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    core = (folder / "janus.jcfg").read_text()
    assert 'admin_secret = "admin-s3cret"' in core
    assert 'rtp_port_range = "30000-30100"' in core
    assert 'nat_1_1_mapping = "203.0.113.7"' in core
    disabled_plugins = re.search(r'plugins: \{ disable = "([^"]*)" \}', core)
    assert disabled_plugins is not None
    assert "videoroom" not in disabled_plugins.group(1)
    assert "libjanus_streaming.so" in disabled_plugins.group(1)
    disabled_transports = re.search(r'transports: \{ disable = "([^"]*)" \}', core)
    assert disabled_transports is not None
    assert disabled_transports.group(1).split(",") == [
        "libjanus_http.so",
        "libjanus_mqtt.so",
        "libjanus_nanomsg.so",
        "libjanus_pfunix.so",
        "libjanus_rabbitmq.so",
    ]
    ws = (folder / "janus.transport.websockets.jcfg").read_text()
    assert 'ws_port = 18188 ws_ip = "127.0.0.1"' in ws
    assert "admin_ws = false" in ws
    assert 'admin_key = "key-s3cret"' in (folder / "janus.plugin.videoroom.jcfg").read_text()
