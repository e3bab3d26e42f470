"""The MOTCUA_PERSONAL_KEYS mapping: well-formed entries are read, anything else is refused with a named problem."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.signing.personal import parse_mapping
from infrastructure.signing.pki import SigningConfigurationError

GOOD = """
[accounts."tiepnhan.lan"]
p12 = "/etc/motcua/keys/lan.p12"
password_env = "MOTCUA_KEY_LAN"

[accounts."lanhdao.binh"]
pkcs11_key_label = "lanhdao.binh"
"""


def test_each_account_maps_to_a_pkcs12_file_or_a_token_key() -> None:
    assert parse_mapping(GOOD, "keys.toml") == {
        "tiepnhan.lan": {"p12": "/etc/motcua/keys/lan.p12", "password_env": "MOTCUA_KEY_LAN"},
        "lanhdao.binh": {"pkcs11_key_label": "lanhdao.binh"},
    }


@pytest.mark.parametrize(
    "text",
    [
        '[accounts.a]\np12 = "x.p12"\npkcs11_key_label = "a"',  # both
        '[accounts.a]\npassword_env = "P"',  # neither
        "[accounts.a]\np12 = 5",  # not text
        '[accounts.a]\np12 = "x.p12"\npasword_env = "P"',  # misspelt setting
        "accounts = 3",
        "[accounts]\na = 1",
        "not toml [",
    ],
)
def test_a_malformed_mapping_is_refused_with_the_problem(text: str) -> None:
    with pytest.raises(SigningConfigurationError, match="keys.toml"):
        parse_mapping(text, "keys.toml")


@given(st.text(max_size=300))
def test_any_text_is_either_a_mapping_or_a_named_refusal(text: str) -> None:
    try:
        mapping = parse_mapping(text, "keys.toml")
    except SigningConfigurationError:
        return
    assert all(
        isinstance(entry, dict) and ("p12" in entry) != ("pkcs11_key_label" in entry) for entry in mapping.values()
    )
