"""Settings: command-line flags beat `SALON_*` environment variables, which beat defaults."""

import dataclasses

import pytest

from salon.config import Settings, load_settings

NO_FLAGS: dict[str, object | None] = {}


def test_defaults_with_no_flags_and_an_empty_environment() -> None:
    settings = load_settings(NO_FLAGS, {})
    assert settings == Settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.data_dir == "data"
    assert settings.database_url is None
    assert settings.public_url is None
    assert settings.base_domain is None
    assert settings.rate_limit_points == 1000
    assert settings.max_body_bytes == 64 * 1024
    assert settings.housekeeping_interval_s == 60.0
    assert settings.log_level == "info"
    assert settings.access_log is False


def test_every_field_reads_its_salon_variable() -> None:
    environ = {
        "SALON_HOST": "0.0.0.0",
        "SALON_PORT": "9000",
        "SALON_DATA_DIR": "/var/lib/salon",
        "SALON_DATABASE_URL": "postgresql://salon@db/salon",
        "SALON_PUBLIC_URL": "https://meet.example.com",
        "SALON_BASE_DOMAIN": "salon.example",
        "SALON_RATE_LIMIT_POINTS": "0",
        "SALON_MAX_BODY_BYTES": "1024",
        "SALON_HOUSEKEEPING_INTERVAL_S": "0.25",
        "SALON_LOG_LEVEL": "debug",
        "SALON_ACCESS_LOG": "true",
    }
    assert load_settings(NO_FLAGS, environ) == Settings(
        host="0.0.0.0",
        port=9000,
        data_dir="/var/lib/salon",
        database_url="postgresql://salon@db/salon",
        public_url="https://meet.example.com",
        base_domain="salon.example",
        rate_limit_points=0,
        max_body_bytes=1024,
        housekeeping_interval_s=0.25,
        log_level="debug",
        access_log=True,
    )


def test_numbers_from_the_environment_are_converted() -> None:
    settings = load_settings(NO_FLAGS, {"SALON_PORT": "9000", "SALON_HOUSEKEEPING_INTERVAL_S": "5"})
    assert settings.port == 9000
    assert type(settings.port) is int
    assert settings.housekeeping_interval_s == 5.0
    assert type(settings.housekeeping_interval_s) is float


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("on", True), ("On", True),
     ("0", False), ("false", False), ("no", False), ("off", False), ("nonsense", False)],
)  # fmt: skip
def test_booleans_from_the_environment(raw: str, expected: bool) -> None:
    assert load_settings(NO_FLAGS, {"SALON_ACCESS_LOG": raw}).access_log is expected


def test_flags_beat_the_environment() -> None:
    environ = {"SALON_PORT": "9000", "SALON_LOG_LEVEL": "debug", "SALON_HOST": "0.0.0.0"}
    settings = load_settings({"port": 7000, "log_level": "warning"}, environ)
    assert settings.port == 7000
    assert settings.log_level == "warning"
    assert settings.host == "0.0.0.0"  # no flag: the environment still counts


def test_a_false_or_zero_flag_is_a_value_not_an_absence() -> None:
    environ = {"SALON_ACCESS_LOG": "true", "SALON_RATE_LIMIT_POINTS": "50"}
    settings = load_settings({"access_log": False, "rate_limit_points": 0}, environ)
    assert settings.access_log is False
    assert settings.rate_limit_points == 0


def test_a_none_flag_falls_back_to_the_environment_then_the_default() -> None:
    settings = load_settings({"port": None, "host": None}, {"SALON_PORT": "9000"})
    assert settings.port == 9000
    assert settings.host == "127.0.0.1"


def test_an_empty_variable_counts_as_unset() -> None:
    settings = load_settings(NO_FLAGS, {"SALON_PORT": "", "SALON_PUBLIC_URL": ""})
    assert settings.port == 8000
    assert settings.public_url is None


def test_variables_without_the_salon_prefix_are_ignored() -> None:
    assert load_settings(NO_FLAGS, {"PORT": "9000", "salon_port": "9001"}).port == 8000


@pytest.mark.parametrize(
    ("variable", "raw", "kind"),
    [
        ("SALON_PORT", "eighty", "int"),
        ("SALON_PORT", "80.5", "int"),
        ("SALON_RATE_LIMIT_POINTS", "1e3", "int"),
        ("SALON_MAX_BODY_BYTES", "64k", "int"),
        ("SALON_HOUSEKEEPING_INTERVAL_S", "soon", "float"),
    ],
)
def test_a_bad_number_in_the_environment_names_the_variable(
    variable: str, raw: str, kind: str
) -> None:
    with pytest.raises(ValueError, match=f"^{variable} is not a valid ") as caught:
        load_settings(NO_FLAGS, {variable: raw})
    assert kind in str(caught.value)


def test_a_bad_number_message_names_the_type_plainly() -> None:
    with pytest.raises(ValueError, match=r"^SALON_PORT ") as caught:
        load_settings(NO_FLAGS, {"SALON_PORT": "eighty"})
    assert str(caught.value) == "SALON_PORT is not a valid int"


def test_without_an_explicit_mapping_the_process_environment_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SALON_LOG_LEVEL", "critical")
    assert load_settings(NO_FLAGS).log_level == "critical"


def test_settings_are_frozen() -> None:
    settings = load_settings(NO_FLAGS, {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


# --- derived values ----------------------------------------------------------------------------


def test_the_database_defaults_to_sqlite_in_the_data_dir() -> None:
    assert Settings().effective_database_url == "sqlite:///data/salon.db"
    assert Settings(data_dir="/var/lib/salon/").effective_database_url == (
        "sqlite:////var/lib/salon/salon.db"
    )
    configured = Settings(database_url="postgresql://salon@db/salon")
    assert configured.effective_database_url == "postgresql://salon@db/salon"


def test_the_public_url_defaults_to_host_and_port() -> None:
    assert Settings().effective_public_url == "http://127.0.0.1:8000"
    assert Settings(host="0.0.0.0", port=9000).effective_public_url == "http://0.0.0.0:9000"
    assert Settings(public_url="https://meet.example.com/").effective_public_url == (
        "https://meet.example.com"
    )


def test_the_environment_feeds_the_derived_values() -> None:
    settings = load_settings(NO_FLAGS, {"SALON_HOST": "10.0.0.5", "SALON_DATA_DIR": "/srv/salon"})
    assert settings.effective_public_url == "http://10.0.0.5:8000"
    assert settings.effective_database_url == "sqlite:////srv/salon/salon.db"


def test_group_room_and_turn_settings_from_flags_and_environment() -> None:
    assert (Settings().janus, Settings().janus_rtp_ports, Settings().turn_ttl_s) == (
        "auto",
        "20000-40000",
        43_200,
    )
    environ = {
        "SALON_JANUS": "ws://10.0.0.5:8188,ws://10.0.0.6:8188",
        "SALON_JANUS_ADMIN_KEY": "k",
        "SALON_TURN_URLS": "turns:turn.example.org:443",
        "SALON_TURN_SECRET": "s",
        "SALON_TURN_TTL_S": "600",
    }
    settings = load_settings({"janus": "off"}, environ)
    assert settings.janus == "off"
    assert (settings.janus_admin_key, settings.turn_urls, settings.turn_secret) == (
        "k",
        "turns:turn.example.org:443",
        "s",
    )
    assert settings.turn_ttl_s == 600


def test_socket_limits_and_proxy_trust_read_their_variables() -> None:
    defaults = load_settings(NO_FLAGS, {})
    assert defaults.forwarded_allow_ips is None  # no proxy is believed unless named
    assert (defaults.timeout_headers, defaults.timeout_body) == (10.0, 30.0)
    assert defaults.limit_connections == 2000
    assert defaults.room_misses_per_minute == 30
    environ = {
        "SALON_FORWARDED_ALLOW_IPS": "10.0.0.1,10.0.1.0/24",
        "SALON_TIMEOUT_HEADERS": "2.5",
        "SALON_TIMEOUT_BODY": "4",
        "SALON_LIMIT_CONNECTIONS": "50",
        "SALON_ROOM_MISSES_PER_MINUTE": "0",
    }
    settings = load_settings({"limit_connections": 60}, environ)
    assert settings.forwarded_allow_ips == "10.0.0.1,10.0.1.0/24"
    assert (settings.timeout_headers, settings.timeout_body) == (2.5, 4.0)
    assert settings.limit_connections == 60
    assert settings.room_misses_per_minute == 0
