"""The device-event consumer reads its NATS settings from the environment and refuses bad ones."""

from __future__ import annotations

import pytest

from infrastructure.device_consumer import bus_settings
from infrastructure.settings import Settings, SettingsError


def test_defaults_point_at_the_local_jetstream() -> None:
    settings = bus_settings(Settings.from_env({}).nats)
    assert settings.servers == ["nats://127.0.0.1:4222"] and settings.stream == "KIOSK_EVENTS"
    assert settings.events_filter == "kiosk.*.events.>"


def test_several_servers_and_names_are_taken_from_the_environment() -> None:
    settings = bus_settings(
        Settings.from_env(
            {
                "MOTCUA_NATS_URL": "nats://a:4222, nats://b:4222",
                "MOTCUA_NATS_PREFIX": "q6",
                "MOTCUA_NATS_DURABLE": "core-q6",
            }
        ).nats
    )
    assert settings.servers == ["nats://a:4222", "nats://b:4222"] and settings.durable == "core-q6"
    assert settings.events_filter == "q6.*.events.>"


@pytest.mark.parametrize("bad", ["", "http://nats:4222", "nats://a:4222,ftp://b"])
def test_a_bad_url_is_refused_with_the_variable_named(bad: str) -> None:
    with pytest.raises(SettingsError, match="MOTCUA_NATS_URL"):
        bus_settings(Settings.from_env({"MOTCUA_NATS_URL": bad}).nats)
