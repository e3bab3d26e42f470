"""The Vaults application against SQLite and the real PostgreSQL, with real pyhanko signatures checked by poppler."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from PIL import Image, ImageDraw
from pyhanko.pdf_utils.reader import PdfFileReader

from application.vaults import Vaults
from domain.codes import format_code
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, Role
from domain.vault import DocumentMetadata, OwnerKind, VaultOwner
from domain.vault_errors import (
    NothingToReuseError,
    PageCountMismatchError,
    ResultStillValidError,
    UnreadableDocumentError,
)
from infrastructure.blobs import FilesystemBlobStore
from infrastructure.pdf import VietnameseDocument
from infrastructure.pdf_tools import LocalPdfTools
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from infrastructure.signing.verify import verify_pdf
from tests.fakes import MemoryKeys
from tests.onestop_support import dossiers_on

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER_NAME, CHAIR_NAME, AGENCY_NAME = "Nguyễn Văn An", "Lê Văn Chủ", "Ủy ban nhân dân Quận 6"
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
CHAIR = Actor(account_id="chair-1", role=Role.SIGNER)
CLERK = Actor(account_id="clerk-1", role=Role.DEPARTMENT_OFFICER)
PERSON = Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung", phone="0901000101")
OWNER = VaultOwner(kind=OwnerKind.CITIZEN, id_number=PERSON.id_number)
BIRTH = DocumentMetadata(type_code="KQ.GKS", name="Giấy khai sinh", number="15/2026/KS")
PERMIT = DocumentMetadata(
    type_code="KQ.GPXD",
    name="Giấy phép xây dựng",
    issued_on=date(2025, 1, 2),
    valid_until=date(2026, 5, 19),
    number="7/GPXD",
)
RENEWED = msgspec.structs.replace(PERMIT, number="8/GPXD", issued_on=date(2026, 5, 4), valid_until=date(2027, 5, 3))
FIRST, SECOND = format_code("H29.06", date(2026, 5, 18), 1), format_code("H29.06", date(2026, 5, 20), 1)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"), agency_name=AGENCY_NAME)


@pytest.fixture(scope="module")
def signer(pki) -> PyhankoSigner:
    names = {OFFICER.account_id: OFFICER_NAME, CHAIR.account_id: CHAIR_NAME}
    return PyhankoSigner.from_dev_pki(pki, names=names.get, location="Quận 6, TP. Hồ Chí Minh")


@pytest.fixture
def blobs(tmp_path) -> FilesystemBlobStore:
    return FilesystemBlobStore(tmp_path / "blobs", MemoryKeys())


@pytest.fixture
def vaults(dossiers, blobs, signer, clock):
    """Vaults on the `dossiers` fixture's application (closed by that fixture)."""
    return Vaults(
        dossiers.app,
        dossiers=dossiers,
        blobs=blobs,
        signer=signer,
        pdfs=LocalPdfTools("https://motcua.example.vn"),
        clock=clock,
    )


def result_pdf(title: str = "GIẤY KHAI SINH") -> bytes:
    document = VietnameseDocument()
    document.add_page()
    document.line_of_text(title, size=16, bold=True, align="C")
    document.line_of_text("Họ, chữ đệm, tên: Nguyễn Minh Khôi. Nơi đăng ký: Ủy ban nhân dân Phường 1, Quận 6.")
    return document.to_bytes()


def scan_image(text: str) -> bytes:
    image = Image.new("RGB", (827, 1169), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 200, 787, 1129), outline="black", width=4)
    draw.text((60, 240), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(100, 100))
    return buffer.getvalue()


def pdfsig(pdf: bytes, tmp: Path) -> str:
    (tmp / "check.pdf").write_bytes(pdf)
    return subprocess.run(["pdfsig", str(tmp / "check.pdf")], capture_output=True, text=True, timeout=60).stdout


def page_one_png(pdf: bytes, tmp: Path) -> Image.Image:
    (tmp / "render.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp / "render.pdf"), str(tmp / "page")],
        check=True,
        timeout=60,
    )
    [png] = tmp.glob("page*.png")
    return Image.open(png).convert("L")


def ink(image: Image.Image) -> float:
    histogram = image.histogram()
    return sum(histogram[:200]) / sum(histogram)


def stored_files(blobs: FilesystemBlobStore) -> int:
    return sum(1 for path in blobs.root.rglob("*") if path.is_file()) if blobs.root.exists() else 0


def issue_result(vaults: Vaults, metadata: DocumentMetadata = BIRTH):
    return vaults.sign_result(OWNER, dossier_code=FIRST, pdf=result_pdf(), metadata=metadata, signer=CHAIR)


def scan(vaults: Vaults, metadata: DocumentMetadata = BIRTH, pages: int = 1, declared: int | None = None):
    images = [scan_image(f"trang {n}") for n in range(1, pages + 1)]
    return vaults.digitize(
        OWNER, dossier_code=SECOND, metadata=metadata, declared_pages=declared or pages, images=images, actor=OFFICER
    )


def test_a_valid_earlier_result_is_reused_by_reference_and_never_scanned_again(vaults: Vaults, blobs) -> None:
    result = issue_result(vaults)
    reused = vaults.reuse_for_receipt(OWNER, "KQ.GKS", SECOND, OFFICER)
    assert (reused.document_id, reused.sha256) == (result.document_id, result.sha256)
    assert reused.signed_by == [CHAIR_NAME, AGENCY_NAME]
    events, files = vaults.app.recorder.max_notification_id(), stored_files(blobs)
    with pytest.raises(ResultStillValidError) as refused:
        scan(vaults)
    assert (
        refused.value.document_id == str(result.document_id) and "không được scan" in refused.value.message_vi.lower()
    )
    assert vaults.app.recorder.max_notification_id() == events and stored_files(blobs) == files == 1
    [document] = vaults.list_documents(OWNER)
    assert document.origin == "result" and document.reused_for == (SECOND,) and document.metadata.issuer == AGENCY_NAME
    assert [type(e).__name__ for e in vaults.app.events.get(result.vault_id)] == [
        "Opened",
        "DocumentStored",
        "ReuseChecked",
    ]


def test_a_lapsed_result_cannot_be_reused_and_must_be_rescanned(vaults: Vaults) -> None:
    issue_result(vaults, PERMIT)  # valid until 19/05/2026; today is 20/05/2026
    with pytest.raises(NothingToReuseError):
        vaults.reuse_for_receipt(OWNER, "KQ.GPXD", SECOND, OFFICER)
    scanned = scan(vaults, RENEWED, pages=2)  # the citizen brings the renewed paper
    assert scanned.pages == 2 and scanned.signed_by == [OFFICER_NAME]
    assert [d.document_id for d in vaults.find_reusable(OWNER, "KQ.GPXD")] == [scanned.document_id]
    assert vaults.find_reusable(OWNER, "KQ.GPXD", on=date(2026, 5, 19))[0].origin == "result"


def test_a_result_expired_by_an_officer_must_be_rescanned(vaults: Vaults) -> None:
    result = issue_result(vaults)
    vaults.expire(OWNER, result.document_id, reason="Giấy tờ đã bị thu hồi", actor=OFFICER)
    scanned = scan(vaults)
    [old, new] = vaults.list_documents(OWNER)
    assert old.expired_reason == "Giấy tờ đã bị thu hồi" and new.document_id == scanned.document_id
    newer = vaults.sign_result(
        OWNER, dossier_code=SECOND, pdf=result_pdf("GIẤY KHAI SINH (CẤP LẠI)"), metadata=BIRTH, signer=CHAIR
    )
    vaults.supersede(OWNER, scanned.document_id, by=newer.document_id, actor=OFFICER)
    assert [d.document_id for d in vaults.find_reusable(OWNER, "KQ.GKS")] == [newer.document_id]


def test_a_scan_with_another_page_count_than_the_paper_is_refused_and_nothing_is_kept(vaults: Vaults, blobs) -> None:
    with pytest.raises(PageCountMismatchError) as refused:
        scan(vaults, pages=2, declared=3)
    assert "3 trang" in refused.value.message_vi and "2 trang" in refused.value.message_vi
    assert (
        not vaults.app.recorder.max_notification_id()
        and stored_files(blobs) == 0
        and vaults.list_documents(OWNER) == []
    )


def test_every_signed_pdf_is_valid_for_pyhanko_and_for_poppler(vaults: Vaults, dossiers, pki, tmp_path) -> None:
    code, _ = dossiers.receive(
        procedure_code="1.001193.000.00.00.H29",
        channel=Channel.COUNTER,
        applicant=PERSON,
        components=[Component(name="Tờ khai đăng ký khai sinh", form=ComponentForm.ORIGINAL)],
        actor=OFFICER,
    )
    receipt = vaults.issue_receipt_form(code, officer_name=OFFICER_NAME, officer=OFFICER).file
    files = {"receipt": receipt.sha256, "scan": scan(vaults, pages=2).sha256, "result": issue_result(vaults).sha256}
    expected = {"receipt": [OFFICER_NAME], "scan": [OFFICER_NAME], "result": [CHAIR_NAME, AGENCY_NAME]}
    for name, sha256 in files.items():
        pdf = vaults.open_file(sha256)
        report = verify_pdf(pdf, pki.trust_roots())
        assert report.all_valid and [s.signer_common_name for s in report.signatures] == expected[name], name
        assert report.dossier_code == {"receipt": code, "scan": SECOND, "result": FIRST}[name]
        output = pdfsig(pdf, tmp_path)
        assert output.count("Signature Validation: Signature is Valid.") == len(expected[name]), output
        assert "Total document signed" in output.split("Signature #")[-1] and "Digest Mismatch" not in output


def test_the_scan_shows_who_scanned_and_when_at_the_top_left_of_page_one(vaults: Vaults, tmp_path) -> None:
    pdf = vaults.open_file(scan(vaults, pages=2).sha256)
    reader = PdfFileReader(io.BytesIO(pdf))
    [field] = [ref.get_object() for ref in reader.root["/AcroForm"]["/Fields"]]
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    assert x1 <= 20 and 841.68 - y2 <= 20 and x2 < 595 / 2  # a 100-dpi A4 scan is 595.44 x 841.68 points
    (tmp_path / "scan.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "scan.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Người ký: {OFFICER_NAME}" in text and "Thời gian ký: 08:30:00 ngày 20/05/2026" in text
    page = page_one_png(pdf, tmp_path)
    assert ink(page.crop((0, 0, page.width // 2, page.height // 8))) > 0.02


def test_the_receipt_form_renders_in_vietnamese_with_its_verification_link(vaults: Vaults, dossiers, tmp_path) -> None:
    code, _ = dossiers.receive(
        procedure_code="1.001193.000.00.00.H29",
        channel=Channel.KIOSK,
        applicant=PERSON,
        components=[Component(name="Giấy chứng sinh", form=ComponentForm.COPY)],
        actor=OFFICER,
    )
    form = vaults.issue_receipt_form(code, officer_name=OFFICER_NAME, officer=OFFICER)
    receipt, pdf = form.file, vaults.open_file(form.file.sha256)
    assert pdf == form.pdf  # the file handed over is the one kept
    (tmp_path / "receipt.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "receipt.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "PHIẾU TIẾP NHẬN VÀ HẸN TRẢ KẾT QUẢ" in text and "Giấy chứng sinh" in text and "Bản sao" in text
    assert ink(page_one_png(pdf, tmp_path)) > 0.03
    assert receipt.signed_by == [OFFICER_NAME] and receipt.pages == 1


def test_verification_names_signers_and_dossier_and_catches_a_changed_byte(vaults: Vaults) -> None:
    pdf = vaults.open_file(issue_result(vaults).sha256)
    good = vaults.verify(pdf)
    assert good.intact and good.trusted and not good.altered and good.issued_by_system and good.dossier_code == FIRST
    assert [(s.signer, s.reason) for s in good.signatures] == [
        (CHAIR_NAME, "Ký duyệt kết quả giải quyết thủ tục hành chính"),
        (AGENCY_NAME, "Ký số của cơ quan ban hành kết quả"),
    ]
    tampered = bytearray(pdf)
    tampered[tampered.index(b"/Producer (") + len(b"/Producer (")] ^= 0x20  # inside both signed ranges
    bad = vaults.verify(bytes(tampered))
    assert bad.altered and not bad.intact and not bad.issued_by_system and "thay đổi" in bad.verdict_vi
    with pytest.raises(UnreadableDocumentError):
        vaults.store_document(OWNER, metadata=BIRTH, pdf=b"not a pdf", actor=OFFICER)


def test_the_dossier_signature_list_holds_hashes_signers_and_times_but_no_personal_data(vaults: Vaults) -> None:
    issue_result(vaults, PERMIT)
    scanned = scan(vaults, PERMIT)
    listed = vaults.get_signatures(SECOND)
    [file] = listed.files
    assert (file.sha256, file.kind, file.type_code, file.pages) == (scanned.sha256, "scan", "KQ.GPXD", 1)
    assert [m.signer for m in file.signatures] == [OFFICER_NAME] and file.signatures[0].signed_at.tzinfo
    encoded = msgspec.json.encode(listed).decode()
    assert PERSON.id_number not in encoded and PERSON.name not in encoded and "7/GPXD" not in encoded


def test_documents_read_back_by_a_fresh_application_are_the_same(
    store_env, vaults: Vaults, blobs, signer, clock, catalogue, calendar
) -> None:
    result = issue_result(vaults)
    vaults.reuse_for_receipt(OWNER, "KQ.GKS", SECOND, OFFICER)
    electronic = vaults.store_document(OWNER, metadata=PERMIT, pdf=result_pdf("GIẤY PHÉP XÂY DỰNG"), actor=OFFICER)
    other = dossiers_on(store_env, catalogue, calendar, clock)  # another process: its own application and cache
    fresh = Vaults(other.app, dossiers=other, blobs=blobs, signer=signer, pdfs=LocalPdfTools(), clock=clock)
    try:
        assert fresh.list_documents(OWNER) == vaults.list_documents(OWNER)
        [stored, opened] = [fresh.list_documents(OWNER)[-1], list(fresh.app.events.get(result.vault_id))[0]]
        assert stored.signed_by == [] and stored.metadata.valid_until == date(2026, 5, 19) and electronic.note
        assert opened.owner == OWNER and opened.owner.kind is OwnerKind.CITIZEN and opened.actor == CHAIR
        assert fresh.get_signatures(FIRST).files[0].signatures[1].signer == AGENCY_NAME
    finally:
        fresh.app.close()
