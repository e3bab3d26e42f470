"""`python -m infrastructure.audit keygen|chain|verify|checkpoint|bundle|verify-bundle|replay-check` (docs/AUDIT.md).

Exit status: 0 all good, 1 tampering / differences / incomplete evidence found, 2 usage or configuration error,
3 the check could not run (database, NATS or anchor unreachable, an unexpected failure). Imports are made inside the
commands: `verify` must start in well under a second, and the read-model machinery is only needed by replay-check.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import Any

OK, FOUND, USAGE, FAILED = 0, 1, 2, 3


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m infrastructure.audit", description="Tamper evidence of Một Cửa 24/7")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("keygen", help="create the checkpoint signing key (once; never overwrites)")
    chain = commands.add_parser("chain", help="add a link for every event not chained yet and sign the head")
    chain.add_argument("--follow", action="store_true", help="keep chaining new events (production process)")
    chain.add_argument("--poll", type=float, default=1.0, help="seconds between rounds with --follow")
    check = commands.add_parser("verify", help="walk events and links; report the first broken position")
    check.add_argument("--public-key", type=Path, help="the published public key to check signatures against")
    check.add_argument(
        "--anchor", action="append", default=[], help="an anchor file or nats://host:port/STREAM (repeatable)"
    )
    commands.add_parser("checkpoint", help="chain everything and sign a checkpoint at the head now")
    bundle = commands.add_parser("bundle", help="export a dossier's evidence bundle (.zip)")
    bundle.add_argument("code", help="dossier code, e.g. H29.06-260520-0001")
    bundle.add_argument("-o", "--output", type=Path, required=True, help="the .zip to write")
    offline = commands.add_parser("verify-bundle", help="verify an evidence bundle offline (no database)")
    offline.add_argument("file", type=Path)
    offline.add_argument("--public-key", type=Path, help="the published public key the bundle must be signed with")
    commands.add_parser(
        "replay-check", help="replay every read model into a scratch store and compare with the live one"
    )
    return root


def main(argv: list[str] | None = None) -> int:
    from infrastructure.logs import setup_logging
    from infrastructure.settings import private_files

    private_files()
    args = parser().parse_args(argv)
    setup_logging("audit")
    from domain.errors import InvalidValueError
    from infrastructure.audit.anchors import AnchorError
    from infrastructure.audit.chain import ChainHaltError
    from infrastructure.audit.keys import AuditKeyError
    from infrastructure.audit.tables import AuditStoreError
    from infrastructure.settings import SettingsError

    try:
        if args.command == "verify-bundle":
            return _verify_bundle(args)
        from infrastructure.settings import Settings

        settings = Settings.from_env()
        if args.command == "keygen":
            return _keygen(settings)
        if args.command == "replay-check":
            return _replay_check(settings)
        from infrastructure.audit.tables import AuditTables

        tables = AuditTables.from_env(settings.event_store_env())
        try:
            return COMMANDS[args.command](args, settings, tables)
        finally:
            tables.close()
    except (SettingsError, AuditStoreError, AuditKeyError, AnchorError, InvalidValueError) as error:
        print(f"lỗi: {getattr(error, 'message_vi', None) or error}", file=sys.stderr)
        return USAGE
    except ChainHaltError as error:
        print(f"BỊ CAN THIỆP: {error}")
        return FOUND
    except Exception as error:  # noqa: BLE001 - "could not run" must never read as "intact" nor as "tampered"
        logging.getLogger("motcua.audit").exception("the audit command could not run")
        print(f"KHÔNG CHẠY ĐƯỢC: {type(error).__name__}", file=sys.stderr)
        return FAILED


def _mac_key(settings: Any, required: bool) -> bytes | None:
    from infrastructure.eventstore.event_mac import MAC_KEY_ENV, mac_key
    from infrastructure.settings import SettingsError

    if not settings.audit.event_mac_key:
        if required:
            raise SettingsError(
                f"{MAC_KEY_ENV} must be set (the applications' event MAC key): the chainer links no event without it"
            )
        return None
    return mac_key(settings.audit.event_mac_key)


def _keygen(settings: Any) -> int:
    from infrastructure.audit.keys import SigningKey, key_file, public_file

    path = key_file(settings.audit, settings.data_dir)
    key = SigningKey.generate(path)
    print(f"checkpoint key {key.key_id} at {path}; publish {public_file(path)} where auditors pin it")
    return OK


def _chainer(settings: Any, tables: Any) -> Any:
    from infrastructure.audit.anchors import configured_anchors
    from infrastructure.audit.chain import Chainer
    from infrastructure.audit.keys import SigningKey, key_file

    key = SigningKey.load(key_file(settings.audit, settings.data_dir))  # a missing key stops here: never a new one
    return Chainer.from_settings(
        tables,
        lambda: key,
        settings.audit,
        mac_key=_mac_key(settings, required=True),
        anchors=configured_anchors(settings.audit, settings.data_dir),
    )


def _chain(args: argparse.Namespace, settings: Any, tables: Any) -> int:
    chainer = _chainer(settings, tables)
    if args.follow:
        signal.signal(signal.SIGTERM, lambda *_: chainer.stop())
        chainer.run_forever(args.poll)
        return OK
    from infrastructure.readstore.progress import ProgressBar

    bar = ProgressBar("chain")
    bar.finish(chainer.catch_up(progress=bar))
    return OK


def _verify(args: argparse.Namespace, settings: Any, tables: Any) -> int:
    from infrastructure.audit.anchors import anchor_at, anchor_file
    from infrastructure.audit.keys import pinned_public_key
    from infrastructure.audit.verify import verify

    audit = settings.audit
    key = pinned_public_key(args.public_key, audit, settings.data_dir)
    sources = [anchor_at(a) for a in args.anchor] or [
        a for a in [anchor_file(audit, settings.data_dir)] if a.path.is_file()
    ]
    anchors = [checkpoint for source in sources for checkpoint in source.read()]
    report = verify(
        tables,
        key,
        audit.checkpoint_every,
        anchors=anchors,
        mac_key=_mac_key(settings, False),
        mac_from=audit.mac_from,
        max_lag=audit.max_lag,
    )
    print(
        f"chuỗi đến vị trí {report.head}: {report.checked} mắt xích đúng, {report.checkpoints} điểm kiểm tra đã ký, "
        f"{len(anchors)} điểm neo bên ngoài đã đối chiếu"
    )
    print(
        f"cửa sổ chưa được ký: {report.unchained} sự kiện ghi sau lần ký cuối "
        f"({report.last_signed_at or 'chưa ký lần nào'})"
        + (
            ""
            if _mac_key(settings, False)
            else "; không có MOTCUA_EVENT_MAC_KEY nên không kiểm tra mã xác thực sự kiện"
        )
    )
    if report.problem:
        print(f"BỊ CAN THIỆP tại vị trí {report.problem.position} ({report.problem.kind}): {report.problem.message}")
        return FOUND
    print("KẾT LUẬN: chuỗi nguyên vẹn")
    return OK


def _checkpoint(args: argparse.Namespace, settings: Any, tables: Any) -> int:
    checkpoint = _chainer(settings, tables).checkpoint()
    print(
        f"checkpoint at position {checkpoint.position}: link {checkpoint.link.hex()} signed {checkpoint.signed_at} "
        f"by key {checkpoint.key_id}"
    )
    return OK


def _bundle(args: argparse.Namespace, settings: Any, tables: Any) -> int:
    from infrastructure.audit.bundle import BundleError, DossierNotFoundError, export_bundle
    from infrastructure.blob_table import blob_store
    from infrastructure.privacy.wiring import key_ring

    chainer = _chainer(settings, tables)
    keys = key_ring(settings)  # the signed files are sealed under their owners' keys
    blobs = blob_store(keys, settings)
    try:
        manifest = export_bundle(tables, chainer, chainer._key(), blobs, args.code, args.output)
    except DossierNotFoundError as error:
        print(f"lỗi: {getattr(error, 'message_vi', None) or error}", file=sys.stderr)
        return USAGE
    except BundleError as error:
        print(f"KHÔNG ĐỦ CHỨNG CỨ: {error}", file=sys.stderr)
        return FOUND
    finally:
        keys.close()
    print(
        f"{args.output}: {len(manifest['files'])} tệp, kiểm tra bằng: "
        f"python -m infrastructure.audit verify-bundle {args.output}"
    )
    return OK


def _verify_bundle(args: argparse.Namespace) -> int:
    from infrastructure.audit.offline import verify_bundle

    if not args.file.is_file():
        print(f"lỗi: không có tệp {args.file}", file=sys.stderr)
        return USAGE
    report = verify_bundle(args.file, args.public_key.read_bytes() if args.public_key else None)
    for line in report.checked:
        print(f"đã kiểm tra: {line}")
    if report.failure:
        print(f"KHÔNG HỢP LỆ: {report.failure}")
        return FOUND
    print("KẾT LUẬN: gói chứng cứ nguyên vẹn và khớp với chuỗi đã ký")
    return OK


def _replay_check(settings: Any) -> int:
    from infrastructure.audit.replay_check import replay_check
    from infrastructure.bootstrap import build_projector
    from infrastructure.readstore.progress import ProgressBar

    projector = build_projector(settings)  # the live store, its tables and tracking (created empty if never built)
    try:
        bar = ProgressBar("replay")
        differences, events = replay_check(
            projector.recorder,
            projector.mapper,
            projector.store,
            list(projector.models.values()),
            batch=settings.projection_batch,
            progress=bar,
        )
        bar.finish(events)
    finally:
        projector.store.close()
        projector.log_reader.close()
    for difference in differences:
        print(difference)
    print(f"{len(differences)} khác biệt giữa mô hình đọc đang dùng và bản phát lại từ sự kiện")
    return FOUND if differences else OK  # FAILED (3) when it could not run: see main()


COMMANDS = {"chain": _chain, "verify": _verify, "checkpoint": _checkpoint, "bundle": _bundle}

if __name__ == "__main__":
    sys.exit(main())
