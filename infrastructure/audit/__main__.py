"""`python -m infrastructure.audit chain|verify|checkpoint|bundle|verify-bundle|replay-check` (docs/AUDIT.md).

Exit status: 0 all good, 1 tampering / differences / incomplete evidence found, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from domain.errors import InvalidValueError
from infrastructure.audit.bundle import BundleError, DossierNotFoundError, export_bundle
from infrastructure.audit.chain import EVERY_ENV, Chainer, positive_setting
from infrastructure.audit.keys import AuditKeyError, PublicKey, SigningKey, key_file, public_file
from infrastructure.audit.offline import verify_bundle
from infrastructure.audit.replay_check import replay_check
from infrastructure.audit.tables import AuditStoreError, AuditTables
from infrastructure.audit.verify import verify
from infrastructure.blobs import FilesystemBlobStore
from infrastructure.bootstrap import build_projector
from infrastructure.privacy.wiring import key_ring
from infrastructure.settings import Settings, SettingsError, private_files
from projections.__main__ import ProgressBar

OK, FOUND, USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m infrastructure.audit", description="Tamper evidence of Một Cửa 24/7")
    commands = root.add_subparsers(dest="command", required=True)
    chain = commands.add_parser("chain", help="add a link for every event not chained yet")
    chain.add_argument("--follow", action="store_true", help="keep chaining new events (production process)")
    chain.add_argument("--poll", type=float, default=1.0, help="seconds between rounds with --follow")
    check = commands.add_parser("verify", help="walk events and links; report the first broken position")
    check.add_argument("--public-key", type=Path, help="the published public key to check signatures against")
    commands.add_parser("checkpoint", help="chain everything and sign a checkpoint at the head now")
    bundle = commands.add_parser("bundle", help="export a dossier's evidence bundle (.zip)")
    bundle.add_argument("code", help="dossier code, e.g. H29.06-260520-0001")
    bundle.add_argument("-o", "--output", type=Path, required=True, help="the .zip to write")
    offline = commands.add_parser("verify-bundle", help="verify an evidence bundle offline (no database)")
    offline.add_argument("file", type=Path)
    offline.add_argument("--public-key", type=Path, help="the published public key the bundle must be signed with")
    commands.add_parser("replay-check", help="replay every read model into a scratch store and compare with the live one")
    return root


def main(argv: list[str] | None = None) -> int:
    private_files()
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        if args.command == "verify-bundle":
            return _verify_bundle(args)
        settings = Settings.from_env()
        if args.command == "replay-check":
            return _replay_check(settings)
        tables = AuditTables.from_env(settings.event_store_env())
        try:
            return COMMANDS[args.command](args, settings, tables)
        finally:
            tables.close()
    except (SettingsError, AuditStoreError, AuditKeyError, InvalidValueError, DossierNotFoundError) as error:
        print(f"lỗi: {getattr(error, 'message_vi', None) or error}", file=sys.stderr)
        return USAGE


def _chainer(settings: Settings, tables: AuditTables) -> Chainer:
    return Chainer.from_env(tables, lambda: SigningKey.load_or_create(key_file(settings.data_dir)))


def _chain(args: argparse.Namespace, settings: Settings, tables: AuditTables) -> int:
    chainer = _chainer(settings, tables)
    if args.follow:
        signal.signal(signal.SIGTERM, lambda *_: chainer.stop())
        chainer.run_forever(args.poll)
        return OK
    bar = ProgressBar("chain")
    bar.finish(chainer.catch_up(progress=bar))
    return OK


def _verify(args: argparse.Namespace, settings: Settings, tables: AuditTables) -> int:
    private = key_file(settings.data_dir)
    source = args.public_key or public_file(private)
    if not source.exists():
        raise AuditKeyError(f"no checkpoint public key at {source}: run `chain` first or pass --public-key")
    bar = ProgressBar("verify")
    report = verify(tables, PublicKey(source.read_bytes()), positive_setting(os.environ, EVERY_ENV, 1000), progress=bar)
    bar.finish(report.checked)
    print(f"chuỗi đến vị trí {report.head}: {report.checked} mắt xích đúng, {report.checkpoints} điểm kiểm tra đã ký, "
          f"{report.unchained} sự kiện mới chưa được xích (không phải lỗi)")
    if report.problem:
        print(f"BỊ CAN THIỆP tại vị trí {report.problem.position} ({report.problem.kind}): {report.problem.message}")
        return FOUND
    print("KẾT LUẬN: chuỗi nguyên vẹn")
    return OK


def _checkpoint(args: argparse.Namespace, settings: Settings, tables: AuditTables) -> int:
    checkpoint = _chainer(settings, tables).checkpoint()
    print(f"checkpoint at position {checkpoint.position}: link {checkpoint.link.hex()} signed {checkpoint.signed_at} "
          f"by key {checkpoint.key_id}")
    return OK


def _bundle(args: argparse.Namespace, settings: Settings, tables: AuditTables) -> int:
    key = SigningKey.load_or_create(key_file(settings.data_dir))
    keys = key_ring(settings)  # the signed files are sealed under their owners' keys
    try:
        manifest = export_bundle(tables, _chainer(settings, tables), key,
                                 FilesystemBlobStore.from_env(keys, settings.adapter_environ()), args.code, args.output)
    except DossierNotFoundError:
        raise  # a usage error: main reports it
    except BundleError as error:
        print(f"KHÔNG ĐỦ CHỨNG CỨ: {error}", file=sys.stderr)
        return FOUND
    finally:
        keys.close()
    print(f"{args.output}: {len(manifest['files'])} tệp, kiểm tra bằng: python -m infrastructure.audit verify-bundle {args.output}")
    return OK


def _verify_bundle(args: argparse.Namespace) -> int:
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


def _replay_check(settings: Settings) -> int:
    projector = build_projector(settings)  # the live store, its tables and tracking (created empty if never built)
    try:
        bar = ProgressBar("replay")
        differences, events = replay_check(projector.recorder, projector.mapper, projector.store, list(projector.models.values()),
                                           batch=settings.projection_batch, progress=bar)
        bar.finish(events)
    finally:
        projector.store.close()
        projector.log_reader.close()
    for difference in differences:
        print(difference)
    print(f"{len(differences)} khác biệt giữa mô hình đọc đang dùng và bản phát lại từ sự kiện")
    return FOUND if differences else OK


COMMANDS = {"chain": _chain, "verify": _verify, "checkpoint": _checkpoint, "bundle": _bundle}

if __name__ == "__main__":
    sys.exit(main())
