"""Each staff account's own signing key: issued by the development PKI, or mapped by configuration in production.

Production: MOTCUA_PERSONAL_KEYS is the path of a TOML file mapping account ids (login names) to keys,

    [accounts."tiepnhan.an"]
    p12 = "/etc/motcua/keys/tiepnhan.an.p12"
    password_env = "MOTCUA_KEY_TIEPNHAN_AN"      # the variable holding the file's passphrase

    [accounts."lanhdao.binh"]
    pkcs11_key_label = "lanhdao.binh"            # a key on the token of MOTCUA_PKCS11_MODULE / _TOKEN_LABEL / _PIN

An account that is not in the file has no personal key: its signature is refused (never made with another key).
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

from pyhanko.sign.signers import Signer

from domain.vault_errors import NoSigningKeyError
from infrastructure.settings.areas import SigningSettings
from infrastructure.signing.pki import DevPki, SigningConfigurationError, load_p12_signer, pkcs11_signer

PERSONAL_KEYS_ENV = "MOTCUA_PERSONAL_KEYS"
Names = Callable[[str], "str | None"]


class DevPersonalKeys:
    """Development keys, one per account, issued on first signature; `names` gives the display name to certify."""

    def __init__(self, pki: DevPki, names: Names | None = None) -> None:
        self.pki, self.names = pki, names
        self._signers: dict[str, Signer] = {}
        self._lock = threading.Lock()

    def signer_for(self, account_id: str) -> Signer:
        with self._lock:
            if account_id not in self._signers:
                name = (self.names(account_id) if self.names else None) or account_id
                self._signers[account_id] = self.pki.person_signer(account_id, name)
            return self._signers[account_id]


class MappedPersonalKeys:
    """Production keys: the accounts named in the MOTCUA_PERSONAL_KEYS file, each with its own PKCS#12 or token key."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]], settings: SigningSettings) -> None:
        self.entries, self.settings = dict(entries), settings
        self._signers: dict[str, Signer] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str, settings: SigningSettings) -> MappedPersonalKeys:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SigningConfigurationError(f"cannot read {PERSONAL_KEYS_ENV} file {path}: {error}") from error
        return cls(parse_mapping(text, path), settings)

    def signer_for(self, account_id: str) -> Signer:
        entry = self.entries.get(account_id)
        if entry is None:
            raise NoSigningKeyError(account_id)
        with self._lock:
            if account_id not in self._signers:
                self._signers[account_id] = self._load(entry)
            return self._signers[account_id]

    def _load(self, entry: Mapping[str, str]) -> Signer:
        if "pkcs11_key_label" in entry:
            return pkcs11_signer(self.settings, key_label=entry["pkcs11_key_label"])
        password = self.settings.key_passwords.get(entry["password_env"]) if entry.get("password_env") else None
        return load_p12_signer(entry["p12"], password.encode() if password else None)


def parse_mapping(text: str, source: str) -> dict[str, dict[str, str]]:
    """The `[accounts."<id>"]` tables of a mapping file, each with exactly one of `p12` and `pkcs11_key_label`
    (and an optional `password_env`), all strings; SigningConfigurationError naming the first problem."""
    try:
        accounts = tomllib.loads(text).get("accounts", {})
    except tomllib.TOMLDecodeError as error:
        raise SigningConfigurationError(f"{source} is not TOML: {error}") from error
    if not isinstance(accounts, dict):
        raise SigningConfigurationError(f"{source}: `accounts` must be a table of accounts")
    for account, entry in accounts.items():
        if not isinstance(entry, dict) or ("p12" in entry) == ("pkcs11_key_label" in entry):
            raise SigningConfigurationError(f"{source}: account {account!r} needs exactly one of p12, pkcs11_key_label")
        unknown = set(entry) - {"p12", "pkcs11_key_label", "password_env"}
        if unknown or not all(isinstance(value, str) and value for value in entry.values()):
            raise SigningConfigurationError(f"{source}: account {account!r} has unknown or non-text settings")
    return accounts


def personal_keys(settings: SigningSettings) -> MappedPersonalKeys:
    """The production mapping; refusing to start without one, so no signature falls back to a shared key."""
    if not settings.personal_keys:
        raise SigningConfigurationError(
            f"set {PERSONAL_KEYS_ENV} to the TOML file mapping accounts to their signing keys"
        )
    return MappedPersonalKeys.from_file(settings.personal_keys, settings)
