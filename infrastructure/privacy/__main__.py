"""`python -m infrastructure.privacy erase|rotate`: erasure on a lawful request, master-key rotation.

Exit status: 0 done, 1 nothing to erase, 2 usage or configuration error. Nothing personal is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

from application.base import OneStop
from application.erasures import Erasures
from application.errors import NotFoundError
from application.otp import phone_keys
from domain.errors import DomainError
from domain.values import Actor, Role
from infrastructure import embedded
from infrastructure.clock import SystemClock
from infrastructure.privacy import wiring
from infrastructure.privacy.keyring import KeyRing
from infrastructure.privacy.master import FILE, VARIABLE, MasterKeyError, master_key, parse
from infrastructure.privacy.store import KeyStore, KeyStoreError
from infrastructure.settings import Settings, SettingsError, private_files

NEW_VARIABLE = "MOTCUA_DATA_KEY_NEW"


def main(argv: Sequence[str] | None = None) -> int:
    private_files()
    parser = argparse.ArgumentParser(prog="python -m infrastructure.privacy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    erase = commands.add_parser("erase", help="destroy a person's data keys (crypto-shredding) and record why")
    person = erase.add_mutually_exclusive_group(required=True)
    person.add_argument("--id-number", help="the person's 12-digit personal ID number")
    person.add_argument("--phone", help="for a person with no ID number on record (a CMND-only holder): their phone")
    erase.add_argument("--reason", required=True, help="the lawful request (its number and date; no personal data)")
    erase.add_argument("--by", default="privacy-cli", help="the administrator account carrying it out")
    commands.add_parser("rotate", help=f"re-wrap every data key from {VARIABLE} to {NEW_VARIABLE}")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return _erase(settings, args) if args.command == "erase" else _rotate(settings)
    except (SettingsError, KeyStoreError) as error:
        print(f"LỖI CẤU HÌNH: {error}", file=sys.stderr)
        return 2


def _erase(settings: Settings, args: argparse.Namespace) -> int:
    keys = KeyRing.from_settings(settings)
    app = OneStop(settings.event_store_env())
    wiring.seal(keys, app)
    erasures = Erasures(app, keys=keys, phone_key=phone_keys(embedded.secret_key(settings)), clock=SystemClock())
    try:
        actor = Actor(account_id=args.by, role=Role.ADMINISTRATOR)
        if args.phone is not None:
            record = erasures.erase_by_phone(args.phone, reason=args.reason, actor=actor)
        else:
            record = erasures.erase(args.id_number, reason=args.reason, actor=actor)
    except NotFoundError:
        print("Không có dữ liệu cá nhân nào được lưu cho người này (hoặc đã xóa trước đó).")
        return 1
    except DomainError as error:
        print(f"LỖI: {error.message_vi}", file=sys.stderr)
        return 2
    finally:
        app.close()
        keys.close()
    print(
        f"Đã xóa dữ liệu cá nhân: hủy {record.keys_destroyed} khóa, {len(record.streams)} luồng sự kiện liên quan; "
        f"biên bản {record.id} (chủ thể {record.subject[:16]}…)."
    )
    return 0


def _rotate(settings: Settings) -> int:
    if not settings.privacy.data_key_new:
        raise MasterKeyError(f"set {NEW_VARIABLE} to the new master key (base64 of 32 random bytes)")
    old, new = master_key(settings), parse(settings.privacy.data_key_new, NEW_VARIABLE)
    store = KeyStore.from_env(settings.event_store_env())
    try:
        KeyRing(store, old)  # checks the old key against the store before anything changes
        changed = store.rewrap(
            lambda label, wrapped: None if new.wrapped_by_me(wrapped) else new.wrap(label, old.unwrap(label, wrapped))
        )
    finally:
        store.close()
    if not settings.privacy.data_key:  # the embedded key file: it now holds the new key
        _replace_key_file(settings, settings.privacy.data_key_new)
    print(
        f"Đã bọc lại {changed} khóa bằng khóa chủ mới (dấu vân tay {new.fingerprint.hex()}). "
        f"Từ giờ mọi tiến trình dùng {VARIABLE} = khóa mới."
    )
    return 0


def _replace_key_file(settings: Settings, value: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=settings.data_dir, prefix=".data-key-")
    with os.fdopen(fd, "w") as file:
        file.write(value.strip())
    os.replace(temporary, settings.data_dir / FILE)


if __name__ == "__main__":
    sys.exit(main())
