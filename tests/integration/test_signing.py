"""Real pyhanko signatures on real fpdf2 PDFs, cross-checked with poppler (pdfsig, pdftoppm, pdftotext).

poppler-utils must be installed (Debian package poppler-utils); these tests never skip.
pdfsig checks signatures with NSS and its own certificate database, which does not hold our
development root, so it prints "Certificate issuer isn't Trusted." for every signature here.
That is expected: the tests assert on what pdfsig can judge (the signature and digest, the signer,
the coverage) and leave trust to pyhanko, which is given the root.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from infrastructure.pdf import (
    Column,
    ReceiptComponent,
    ReceiptForm,
    TableDocument,
    render_receipt,
    render_table_document,
)
from infrastructure.settings import Settings
from infrastructure.signing.pki import (
    SigningConfigurationError,
    ensure_dev_pki,
    p12_signer,
    pkcs11_signer,
)
from infrastructure.signing.signer import TOP_LEFT, images_to_pdf, page_count, sign_pdf
from infrastructure.signing.verify import verify_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DOSSIER = "H34.29.2-230520-0001"
OFFICER = "Nguyễn Văn An"
AGENCY = "Ủy ban nhân dân Quận 6"
RECEIPT_SIGNATURE_BOX = (320.0, 388.0, 550.0, 440.0)  # the blank space under "Người tiếp nhận"
SIGNED_AT = datetime.now(VN).replace(microsecond=0) - timedelta(minutes=5)


def run(*command: str, data: bytes, tmp: Path) -> str:
    """Run a poppler tool on `data` (written to a file named by "{pdf}"); return its stdout."""
    path = tmp / "input.pdf"
    path.write_bytes(data)
    args = [str(path) if arg == "{pdf}" else arg for arg in command]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def render_page_one(pdf: bytes, tmp: Path) -> bytes:
    """Page 1 as PNG at 50 dpi, rendered by poppler's pdftoppm."""
    (tmp / "render.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp / "render.pdf"), str(tmp / "page")],
        check=True,
        timeout=60,
    )
    [png] = list(tmp.glob("page*.png"))
    return png.read_bytes()


def signature_blocks(pdfsig_output: str) -> list[str]:
    return pdfsig_output.split("Signature #")[1:]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"), officer_name=OFFICER, agency_name=AGENCY)


@pytest.fixture(scope="module")
def receipt_pdf() -> bytes:
    return render_receipt(
        ReceiptForm(
            dossier_code=DOSSIER,
            procedure_name="Đăng ký kết hôn (cấp Giấy chứng nhận kết hôn)",
            applicant_name="Nguyễn Thị Hồng Nhung",
            components=[
                ReceiptComponent("Tờ khai đăng ký kết hôn", "Bản chính", 1),
                ReceiptComponent("Giấy xác nhận tình trạng hôn nhân", "Bản chính", 2),
            ],
            received_at=datetime(2025, 5, 20, 9, 15, tzinfo=VN),
            appointment_date=date(2025, 5, 23),
            fee=20_000,
            paid=10_000,
            receiving_officer=OFFICER,
            verification_url=f"https://motcua.example.vn/tra-cuu/{DOSSIER}",
        )
    )


@pytest.fixture(scope="module")
def signed_once(pki, receipt_pdf) -> bytes:
    return sign_pdf(
        receipt_pdf,
        pki.officer_signer(),
        field_name="NguoiCoThamQuyen",
        reason="Ký số phiếu tiếp nhận",
        location="Quận 6, TP. Hồ Chí Minh",
        visible_box=RECEIPT_SIGNATURE_BOX,
        signer_display_name=OFFICER,
        signed_at=SIGNED_AT,
        metadata={"MotCuaDossier": DOSSIER},
    )


@pytest.fixture(scope="module")
def signed_twice(pki, signed_once) -> bytes:
    return sign_pdf(
        signed_once,
        pki.agency_signer(),
        field_name="CoQuan",
        reason="Ký số của cơ quan",
        location="Quận 6, TP. Hồ Chí Minh",
        signer_display_name=AGENCY,
        signed_at=SIGNED_AT + timedelta(minutes=1),
    )


def test_dev_pki_is_reused_when_its_files_exist(pki):
    before = {path.name: path.read_bytes() for path in pki.directory.iterdir()}
    again = ensure_dev_pki(pki.directory, officer_name=OFFICER, agency_name=AGENCY)
    assert {path.name: path.read_bytes() for path in again.directory.iterdir()} == before
    assert {"root-ca.pem", "intermediate-ca.pem", "officer.p12", "agency.p12", "officer.pem", "agency.pem"} <= set(
        before
    )


def test_recreating_the_root_reissues_everything_below_it(pki, tmp_path):
    directory = tmp_path / "copy"
    shutil.copytree(pki.directory, directory)
    (directory / "root-ca.pem").unlink()
    renewed = ensure_dev_pki(directory, officer_name=OFFICER, agency_name=AGENCY)
    for name in ("root-ca.pem", "intermediate-ca.pem", "officer.p12", "agency.p12"):
        assert (directory / name).read_bytes() != (pki.directory / name).read_bytes()
    officer = x509.load_pem_x509_certificate((directory / "officer.pem").read_bytes())
    officer.verify_directly_issued_by(x509.load_pem_x509_certificate((directory / "intermediate-ca.pem").read_bytes()))
    assert renewed.officer_signer().signing_cert.subject.native["common_name"] == OFFICER


def test_officer_certificate_is_for_document_signing_and_chains_to_the_root(pki):
    officer = x509.load_pem_x509_certificate((pki.directory / "officer.pem").read_bytes())
    intermediate = x509.load_pem_x509_certificate((pki.directory / "intermediate-ca.pem").read_bytes())
    root = x509.load_pem_x509_certificate(pki.root_certificate.read_bytes())
    usage = officer.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert officer.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == OFFICER
    assert officer.issuer == intermediate.subject and intermediate.issuer == root.subject
    officer.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)


def test_officer_signature_on_receipt_is_valid_and_names_the_dossier(pki, signed_once):
    report = verify_pdf(signed_once, pki.trust_roots())
    [signature] = report.signatures
    assert (signature.signer_common_name, signature.signer_organisation) == (OFFICER, AGENCY)
    assert signature.intact and signature.valid and signature.trusted and signature.covers_whole_document
    assert signature.signing_time == SIGNED_AT
    assert signature.reason == "Ký số phiếu tiếp nhận"
    assert signature.metadata["MotCuaDossier"] == DOSSIER
    assert report.dossier_code == DOSSIER and not report.altered and report.all_valid


def test_pdfsig_reports_the_signature_valid_and_lists_the_signer(signed_once, tmp_path):
    [block] = signature_blocks(run("pdfsig", "{pdf}", data=signed_once, tmp=tmp_path))
    assert "Signature Validation: Signature is Valid." in block
    assert f"Signer Certificate Common Name: {OFFICER}" in block
    assert "Total document signed" in block and "Not total" not in block
    assert "Signing Hash Algorithm: SHA-256" in block
    # pdfsig's NSS database does not hold our development root (see the module docstring).
    assert "Certificate Validation: Certificate issuer isn't Trusted." in block


def test_second_signature_is_an_incremental_update_that_keeps_the_first_valid(pki, signed_once, signed_twice):
    assert signed_twice.startswith(signed_once)
    report = verify_pdf(signed_twice, pki.trust_roots())
    first, second = report.signatures
    assert [first.signer_common_name, second.signer_common_name] == [OFFICER, AGENCY]
    assert first.ok and second.ok and not report.altered and report.all_valid
    assert not first.covers_whole_document and first.changes_after_signing == "form_filling"
    assert second.covers_whole_document and second.changes_after_signing == "none"
    assert report.dossier_code == DOSSIER


def test_pdfsig_accepts_both_signatures(signed_twice, tmp_path):
    first, second = signature_blocks(run("pdfsig", "{pdf}", data=signed_twice, tmp=tmp_path))
    assert "Signature is Valid." in first and "Signature is Valid." in second
    assert f"Common Name: {OFFICER}" in first and f"Common Name: {AGENCY}" in second
    assert "Not total document signed" in first and "\n  - Total document signed" in second


def test_flipping_a_signed_byte_is_reported_as_altered(pki, signed_twice, tmp_path):
    tampered = bytearray(signed_twice)
    position = tampered.index(b"/Producer (") + len(b"/Producer (")  # inside both signed ranges
    tampered[position] ^= 0x20
    report = verify_pdf(bytes(tampered), pki.trust_roots())
    assert report.altered and not report.all_valid
    assert all(not s.intact and "digest mismatch" in s.problem for s in report.signatures)
    blocks = signature_blocks(run("pdfsig", "{pdf}", data=bytes(tampered), tmp=tmp_path))
    assert all("Signature Validation: Digest Mismatch." in block for block in blocks)


def test_appending_an_unsigned_update_is_reported_as_altered(pki, signed_twice, tmp_path):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_twice))
    info = generic.DictionaryObject(writer.prev.trailer_view["/Info"])
    info[generic.NameObject("/MotCuaDossier")] = generic.TextStringObject("H34.29.2-230520-9999")
    writer.set_info(info)
    output = io.BytesIO()
    writer.write(output)
    report = verify_pdf(output.getvalue(), pki.trust_roots())
    assert report.altered and not report.all_valid
    assert all(s.intact and s.valid for s in report.signatures)
    assert not report.signatures[-1].covers_whole_document
    # The signed revision still names the original dossier; only the unsigned update says otherwise.
    assert report.signatures[-1].metadata["MotCuaDossier"] == DOSSIER
    assert report.dossier_code == "H34.29.2-230520-9999"
    last = signature_blocks(run("pdfsig", "{pdf}", data=output.getvalue(), tmp=tmp_path))[-1]
    assert "Not total document signed" in last and "Signature is Valid." in last


def test_drawing_on_a_signed_page_counts_as_other_changes(pki, signed_twice):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_twice))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 200 re f")))
    output = io.BytesIO()
    writer.write(output)
    report = verify_pdf(output.getvalue(), pki.trust_roots())
    assert report.altered and {s.changes_after_signing for s in report.signatures} == {"other"}


def test_signature_from_an_unknown_root_is_intact_but_not_trusted(signed_once):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Other Root")])
    now = datetime.now(UTC)
    other_root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    [signature] = verify_pdf(signed_once, [other_root.public_bytes(serialization.Encoding.PEM)]).signatures
    assert signature.intact and signature.valid and not signature.trusted and not signature.ok


def _widget(pdf: bytes, field_name: str) -> tuple[list[float], list[float]]:
    """The /Rect of a signature widget and the MediaBox of page 1, which the widget must be on."""
    reader = PdfFileReader(io.BytesIO(pdf))
    field = next(f for f in (ref.get_object() for ref in reader.root["/AcroForm"]["/Fields"]) if f["/T"] == field_name)
    page_ref, _ = reader.find_page_for_modification(0)
    assert field.raw_get("/P").reference == page_ref.reference
    page = page_ref.get_object()
    media_box = page["/MediaBox"] if "/MediaBox" in page else page["/Parent"]["/MediaBox"]
    return [float(v) for v in field["/Rect"]], [float(v) for v in media_box]


def _non_white_share(png: bytes, box: tuple[int, int, int, int] | None = None) -> float:
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = (image.crop(box) if box else image).histogram()
    return sum(histogram[:200]) / sum(histogram)


def _scan(size: tuple[int, int], fmt: str, text: str) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 200, size[0] - 40, size[1] - 40), outline="black", width=4)
    draw.text((60, 240), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, dpi=(100, 100))
    return buffer.getvalue()


def test_visible_signature_goes_in_the_box_given(signed_once):
    rect, _ = _widget(signed_once, "NguoiCoThamQuyen")
    assert rect == list(RECEIPT_SIGNATURE_BOX)


def test_rendered_first_page_is_not_blank(signed_twice, tmp_path):
    png = render_page_one(signed_twice, tmp_path)
    assert Image.open(io.BytesIO(png)).size == pytest.approx((413, 585), abs=1)  # A4 at 50 dpi
    assert _non_white_share(png) > 0.03


def test_scanned_images_become_one_page_each(tmp_path):
    images = [
        _scan((827, 1169), "PNG", "page 1"),
        _scan((827, 1169), "JPEG", "page 2"),
        _scan((1169, 827), "PNG", "page 3"),
    ]
    scanned = images_to_pdf(images)
    assert scanned.page_count == 3 == page_count(scanned.pdf)
    info = run("pdfinfo", "-f", "1", "-l", "3", "{pdf}", data=scanned.pdf, tmp=tmp_path)
    assert "Pages:           3" in info
    sizes = re.findall(r"Page +\d+ size: +([\d.]+ x [\d.]+) pts", info)
    assert sizes == ["595.44 x 841.68", "595.44 x 841.68", "841.68 x 595.44"]  # 827 x 1169 px at 100 dpi


@pytest.fixture(scope="module")
def signed_scan(pki) -> bytes:
    scanned = images_to_pdf([_scan((827, 1169), "PNG", "page 1"), _scan((827, 1169), "JPEG", "page 2")])
    return sign_pdf(
        scanned.pdf,
        pki.officer_signer(),
        field_name="SoHoa",
        reason="Số hóa thành phần hồ sơ",
        location="Quận 6",
        visible_box=TOP_LEFT,
        signer_display_name=OFFICER,
        signed_at=SIGNED_AT,
    )


def test_signed_scan_keeps_its_pages_and_is_valid(pki, signed_scan):
    assert page_count(signed_scan) == 2
    assert verify_pdf(signed_scan, pki.trust_roots()).all_valid


def test_scan_signature_sits_at_the_top_left_of_page_one(signed_scan, tmp_path):
    (x1, y1, x2, y2), (_, _, width, height) = _widget(signed_scan, "SoHoa")
    assert 0 < x1 < x2 < width / 2 and height / 2 < y1 < y2 <= height
    assert x1 <= 20 and height - y2 <= 20
    png = render_page_one(signed_scan, tmp_path)
    scale = 50 / 72  # the stamp area holds ink; the same band further right does not
    stamp_area = (int(x1 * scale), int((height - y2) * scale), int(x2 * scale), int((height - y1) * scale))
    assert _non_white_share(png, stamp_area) > 0.05
    assert _non_white_share(png, (stamp_area[2] + 5, stamp_area[1], stamp_area[2] + 100, stamp_area[3])) == 0


def test_scan_signature_shows_signer_and_time_in_vietnamese(signed_scan, tmp_path):
    stamp = run("pdftotext", "-f", "1", "-l", "1", "-layout", "{pdf}", "-", data=signed_scan, tmp=tmp_path)
    local = SIGNED_AT.astimezone(VN)
    assert f"Người ký: {OFFICER}" in stamp
    assert f"Thời gian ký: {local:%H:%M:%S} ngày {local:%d/%m/%Y}" in stamp


def test_images_other_than_png_or_jpeg_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(ValueError, match="GIF"):
        images_to_pdf([buffer.getvalue()])


def test_signing_time_without_timezone_is_refused(pki, receipt_pdf):
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_pdf(
            receipt_pdf,
            pki.officer_signer(),
            field_name="X",
            reason="r",
            location="l",
            signer_display_name=OFFICER,
            signed_at=datetime(2025, 5, 20, 9, 0),
        )


def test_ledger_book_repeats_its_header_numbers_its_pages_and_can_be_signed(pki, tmp_path):
    columns = [Column("STT", 0.5, "C"), Column("Mã hồ sơ", 2), Column("Thủ tục", 3), Column("Người nộp", 2)]
    rows = [[str(n), f"H34.29.2-230520-{n:04d}", "Đăng ký khai sinh", "Lê Thị Ánh Tuyết"] for n in range(1, 71)]
    book = render_table_document(
        TableDocument(
            title="Sổ giao nhận hồ sơ",
            columns=columns,
            rows=rows,
            subtitle_lines=["Tổ tư vấn dịch vụ công"],
            signature_titles=["Người giao (ký, ghi rõ họ tên)", "Người nhận (ký, ghi rõ họ tên)"],
        )
    )
    pages = run("pdftotext", "-layout", "{pdf}", "-", data=book, tmp=tmp_path).split("\f")[:-1]
    assert len(pages) == page_count(book) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in text
        assert "H34.29.2-230520-" not in text or "Mã hồ sơ" in text  # every page of rows has the header
    assert "Người giao" in pages[-1] and "(ký, ghi rõ họ tên)" in pages[-1]
    signed = sign_pdf(
        book,
        pki.agency_signer(),
        field_name="CoQuan",
        reason="Xác nhận sổ",
        location="Quận 6",
        signer_display_name=AGENCY,
        signed_at=SIGNED_AT,
    )
    assert verify_pdf(signed, pki.trust_roots()).all_valid


def test_signer_is_loaded_from_the_p12_named_in_the_environment(pki):
    env = {"MOTCUA_SIGNING_P12": str(pki.agency_p12), "MOTCUA_SIGNING_P12_PASSWORD": pki.passphrase.decode()}
    assert p12_signer(Settings.from_env(env).signing).signing_cert.subject.native["common_name"] == AGENCY
    with pytest.raises(SigningConfigurationError, match="MOTCUA_SIGNING_P12"):
        p12_signer(Settings.from_env({}).signing)
    with pytest.raises(SigningConfigurationError, match="wrong passphrase"):
        p12_signer(Settings.from_env({**env, "MOTCUA_SIGNING_P12_PASSWORD": "sai"}).signing)


def test_pkcs11_names_the_missing_settings():
    with pytest.raises(SigningConfigurationError, match="MOTCUA_PKCS11_TOKEN_LABEL, MOTCUA_PKCS11_KEY_LABEL"):
        pkcs11_signer(Settings.from_env({"MOTCUA_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so"}).signing)
