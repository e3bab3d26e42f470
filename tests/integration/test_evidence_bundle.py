"""Evidence bundles: a dossier taken through a kiosk day (intake, collection, processing, signed receipt and
result, tray, pickup, rating) is exported and verified offline; any change to the zip is caught and named."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.base import OneStop
from application.dossiers import Dossiers
from application.vaults import Vaults
from domain.codes import dossier_id
from domain.tray import PickupMethod
from domain.values import Actor, Rating, Role
from domain.vault import DocumentMetadata, OwnerKind, VaultOwner
from infrastructure.audit.bundle import BundleError, DossierNotFoundError, export_bundle
from infrastructure.audit.chain import Chainer
from infrastructure.audit.keys import SigningKey
from infrastructure.audit.offline import verify_bundle
from infrastructure.audit.tables import AuditTables
from infrastructure.blobs import FilesystemBlobStore
from infrastructure.calendar import load_calendar
from infrastructure.pdf_tools import LocalPdfTools
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from tests.application.test_kiosk_day import collect_and_hand_over, process, submit
from tests.application.test_vaults import result_pdf
from tests.conftest import COMMON
from tests.fakes import FakeClock, FakeOtp, MemoryKeys
from tests.kiosk_support import CITIZEN, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn

DAY = date(2026, 5, 20)
# civil-status extract (ward); household business (district). ID cards are return-only at the kiosk (seed 000 §2.2).
EXTRACT, BUSINESS = "2.000635.000.00.00.H29", "1.001612.000.00.00.H29"
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
CHAIR = Actor(account_id="chair-1", role=Role.SIGNER)


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> PyhankoSigner:
    pki = ensure_dev_pki(
        tmp_path_factory.mktemp("pki"), officer_name="Nguyễn Văn An", agency_name="Ủy ban nhân dân Quận 6"
    )
    return PyhankoSigner.from_dev_pki(pki, location="Quận 6, TP. Hồ Chí Minh")


class Exported:
    def __init__(self, path, code: str, other: str, blobs: FilesystemBlobStore, key: SigningKey) -> None:
        self.path, self.code, self.other, self.blobs, self.key = path, code, other, blobs, key

    def files(self) -> dict[str, bytes]:
        with zipfile.ZipFile(self.path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    def rewritten(self, change, *, manifest: bool, name: str = "tampered.zip"):
        """A copy of the bundle with `change(files)` applied, the manifest updated to match when asked."""
        files = self.files()
        change(files)
        if manifest:
            listed = json.loads(files["manifest.json"])
            listed["files"] = {n: hashlib.sha256(d).hexdigest() for n, d in files.items() if n != "manifest.json"}
            files["manifest.json"] = json.dumps(listed).encode()
        target = self.path.with_name(name)
        with zipfile.ZipFile(target, "w") as archive:
            for file_name, data in files.items():
                archive.writestr(file_name, data)
        return target


@contextmanager
def kiosk_day_exported(
    store_env: dict[str, str], catalogue, signer: PyhankoSigner, tmp_path: Path
) -> Iterator[Exported]:
    """Play one dossier through a kiosk day beside another one, then export its bundle."""
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    blobs = FilesystemBlobStore(tmp_path / "blobs", MemoryKeys())
    vaults = Vaults(
        dossiers.app,
        dossiers=dossiers,
        blobs=blobs,
        signer=signer,
        pdfs=LocalPdfTools("https://motcua.example.vn"),
        clock=clock,
    )
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", tray_count=4, actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001", "Q6PB000002"], actor=STAFF_ACTOR)
    code = submit(
        kiosks, otp, catalogue, Citizen(1), EXTRACT, "Q6PB000001", [("cash", catalogue.procedure(EXTRACT).fee)]
    )
    other = submit(
        kiosks, otp, catalogue, Citizen(2), BUSINESS, "Q6PB000002", [("cash", catalogue.procedure(BUSINESS).fee)]
    )
    vaults.issue_receipt_form(code, officer_name="Nguyễn Văn An", officer=OFFICER)
    collect_and_hand_over(kiosks, clock, vn(DAY, 14))
    clock.current = vn(date(2026, 5, 21), 15)
    process(dossiers, [code, other], catalogue)
    vaults.sign_result(
        VaultOwner(kind=OwnerKind.CITIZEN, id_number=Citizen(1).id_number),
        dossier_code=code,
        pdf=result_pdf(),
        metadata=DocumentMetadata(type_code="KQ.TLHT", name="Trích lục hộ tịch", number="15/2026/TLHT"),
        signer=CHAIR,
    )
    clock.current = vn(date(2026, 5, 21), 16)
    kiosks.load_results("Q6-01", [code, other], staff=STAFF, actor=STAFF_ACTOR)
    clock.current = vn(date(2026, 5, 22), 9)
    ticket = kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(1).id_number, code=code)
    kiosks.release("Q6-01", code, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=CITIZEN)
    kiosks.rate(code, rating=Rating(stars=5), actor=CITIZEN)

    tables, key = AuditTables.from_env(store_env), SigningKey.generate(tmp_path / "key.pem")
    chainer = Chainer(tables, lambda: key, every=10)
    export_bundle(tables, chainer, key, blobs, code, tmp_path / "bundle.zip")
    with pytest.raises(DossierNotFoundError):
        export_bundle(tables, chainer, key, blobs, "H29.06-260520-0099", tmp_path / "none.zip")
    try:
        yield Exported(tmp_path / "bundle.zip", code, other, blobs, key)
    finally:
        tables.close()
    dossiers.app.close()


@pytest.fixture
def exported(store_env, catalogue, signer, tmp_path) -> Iterator[Exported]:
    """A fresh export on SQLite and on PostgreSQL."""
    with kiosk_day_exported(store_env, catalogue, signer, tmp_path) as bundle:
        yield bundle


@pytest.fixture(scope="module")
def bundle(catalogue, signer, tmp_path_factory) -> Iterator[Exported]:
    """One export (SQLite) that the tampering tests copy and change."""
    directory = tmp_path_factory.mktemp("bundle")
    env = COMMON | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(directory / "events.sqlite3")}
    with kiosk_day_exported(env, catalogue, signer, directory) as exported_bundle:
        yield exported_bundle


def test_a_dossier_of_a_full_kiosk_day_exports_a_bundle_that_verifies_offline(exported: Exported) -> None:
    report = verify_bundle(exported.path)
    assert report.ok, report.failure
    assert len(report.checked) == 7 and any("2 tệp, đúng mã băm" in line for line in report.checked)
    files = exported.files()
    events = json.loads(files["events.json"])
    types = {event["topic"].split(":")[1] for event in events}
    assert {
        "Dossier.Received",
        "Dossier.PaymentReceived",
        "Dossier.HandedOver",
        "Dossier.LoadedIntoTray",
        "Dossier.ResultDelivered",
        "Dossier.Rated",
        "Kiosk.EnvelopeAccepted",
        "Tray.Loaded",
        "Tray.Released",
        "SignatureRegister.FileSigned",
        "Vault.DocumentStored",
    } <= types
    assert str(dossier_id(exported.other)) not in {event["aggregate_id"] for event in events}
    lines = json.loads(files["handover.json"])
    assert [(line["giver"]["role"], line["receiver"]["role"]) for line in lines] == [
        ("consultant", "department_officer"),
        ("department_officer", "consultant"),
    ]
    pdfs = [name for name in files if name.startswith("pdfs/")]
    assert len(pdfs) == 2 and all(exported.blobs.get(name[5:-4]) == files[name] for name in pdfs)
    assert files["public_key.pem"] == exported.key.pem


def test_a_bundle_whose_signed_file_was_erased_stops_with_the_reason(exported: Exported, store_env, tmp_path) -> None:
    exported.blobs.keys.destroy([f"id:{Citizen(1).id_number}"])  # what an erasure of the applicant does to the files
    tables = AuditTables.from_env(store_env)
    try:
        with pytest.raises(BundleError, match="đã bị xóa theo yêu cầu xóa dữ liệu cá nhân"):
            export_bundle(
                tables,
                Chainer(tables, lambda: exported.key, every=10),
                exported.key,
                exported.blobs,
                exported.code,
                tmp_path / "erased.zip",
            )
    finally:
        tables.close()


def test_a_changed_pdf_is_named(bundle: Exported) -> None:
    pdf = next(name for name in bundle.files() if name.startswith("pdfs/"))
    tampered = bundle.rewritten(
        lambda files: files.__setitem__(pdf, files[pdf].replace(b"%%EOF", b"%%EOF\n%x")), manifest=False
    )
    failure = verify_bundle(tampered).failure
    assert failure.startswith(pdf) and "manifest" in failure
    tampered = bundle.rewritten(lambda files: files.__setitem__(pdf, files[pdf] + b"\n"), manifest=True, name="t2.zip")
    assert verify_bundle(tampered).failure.startswith(pdf)


def test_an_event_changed_with_a_matching_manifest_is_caught_by_the_signed_chain(bundle: Exported) -> None:
    def lower_the_fee(files):
        rows = json.loads(files["rows.json"])
        row = next(r for r in rows if r["topic"].endswith("Dossier.PaymentReceived"))
        data = json.loads(base64.b64decode(row["state"]))
        data["amount"] = 1
        row["state"] = base64.b64encode(json.dumps(data).encode()).decode()
        files["rows.json"] = json.dumps(rows).encode()

    failure = verify_bundle(bundle.rewritten(lower_the_fee, manifest=True)).failure
    assert failure.startswith("rows.json") and "khác với sự kiện đã được xích" in failure


def test_a_dropped_handover_line_is_named(bundle: Exported) -> None:
    tampered = bundle.rewritten(
        lambda files: files.__setitem__("handover.json", json.dumps(json.loads(files["handover.json"])[:1]).encode()),
        manifest=True,
    )
    assert verify_bundle(tampered).failure.startswith("handover.json")


def test_a_bundle_signed_by_another_key_than_the_published_one_fails(bundle: Exported, tmp_path) -> None:
    other = SigningKey.generate(tmp_path / "other.pem")
    assert verify_bundle(bundle.path, pinned_key=bundle.key.pem).ok
    assert verify_bundle(bundle.path, pinned_key=other.pem).failure.startswith("public_key.pem")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_corrupted_zip_never_passes_and_never_crashes_the_verifier(bundle: Exported, data) -> None:
    original = bundle.path.read_bytes()
    offset = data.draw(st.integers(0, len(original) - 1))
    flipped = bytearray(original)
    flipped[offset] ^= data.draw(st.integers(1, 255))
    target = bundle.path.with_name("corrupt.zip")
    target.write_bytes(bytes(flipped))
    report = verify_bundle(target)
    if report.ok:  # only a byte no file depends on (e.g. a zip header's timestamp) may change
        with zipfile.ZipFile(io.BytesIO(bytes(flipped))) as archive:
            assert {n: archive.read(n) for n in archive.namelist()} == bundle.files()
    else:
        assert report.failure
