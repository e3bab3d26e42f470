"""Sign PDFs with pyhanko in incremental updates; turn scanned images into PDFs first.

Each signature is appended as a new revision, so a later signature (the agency seal after
the competent person) leaves the bytes covered by the earlier one untouched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import msgspec
from fpdf import FPDF
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pyhanko.pdf_utils import content, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

from domain.clock import VIETNAM, aware
from infrastructure.pdf import FONT_FAMILY, font_paths

Box = tuple[float, float, float, float]
TOP_LEFT: Literal["top-left"] = "top-left"
STAMP_SIZE = (230.0, 58.0)  # points, about 81 x 20 mm
STAMP_MARGIN = 18.0
STAMP_PADDING = 5.0
STAMP_COLOUR = (178, 34, 34)
LEADING = 1.3  # line height as a multiple of the font size
METADATA_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*")


class _PdfBytesPage(content.ImportedPdfPage):
    """Page 1 of an in-memory PDF as a form XObject (pyhanko's version reads a file)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__(file_name=None, page_ix=0)
        self.pdf = pdf

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        self.resources.xobject["/StampPage"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = content.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/StampPage Do"


class _PageStamp(BaseStamp):
    def _render_inner_content(self) -> list[bytes]:
        return []


@dataclass(frozen=True)
class _PageStampStyle(BaseStampStyle):
    """The appearance is a page drawn by fpdf2, which embeds a Vietnamese font.

    pyhanko's built-in stamp font is Courier (no Vietnamese glyphs), and embedding a TrueType
    font there needs pyHanko[opentype] (uharfbuzz), which the project does not install.
    """

    def create_stamp(self, writer, box, text_params) -> _PageStamp:
        return _PageStamp(writer=writer, style=self, box=box)


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time comes from the caller instead of the clock."""

    def __init__(self, *args, signed_at: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.signed_at = signed_at

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.signed_at
        return session


def stamp_lines(signer_display_name: str, signed_at: datetime) -> list[str]:
    """The Vietnamese text of a visible signature."""
    local = signed_at.astimezone(VIETNAM)
    return [f"Người ký: {signer_display_name}", f"Thời gian ký: {local:%H:%M:%S} ngày {local:%d/%m/%Y}"]


def _fit_font(pdf: FPDF, lines: Sequence[str], width: float, height: float) -> float:
    """Set the largest bold size (10 pt down to 4 pt) at which the lines fit; return it."""
    size = 10.0
    pdf.set_font(FONT_FAMILY, "B", size)
    while size > 4 and (max(map(pdf.get_string_width, lines)) > width or LEADING * size * len(lines) > height):
        size -= 0.5
        pdf.set_font(FONT_FAMILY, "B", size)
    return size


def render_stamp(lines: Sequence[str], width: float, height: float) -> bytes:
    """A one-page PDF of exactly width x height points: a framed box with the lines centred vertically."""
    pdf = FPDF(unit="pt", format=(width, height))
    for style, path in font_paths().items():
        pdf.add_font(FONT_FAMILY, style, str(path))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*STAMP_COLOUR)
    pdf.set_text_color(*STAMP_COLOUR)
    pdf.set_line_width(1.2)
    pdf.rect(0.6, 0.6, width - 1.2, height - 1.2)
    size = _fit_font(pdf, lines, width - 2 * STAMP_PADDING, height - 2 * STAMP_PADDING)
    top = (height - LEADING * size * len(lines)) / 2
    for index, line in enumerate(lines):
        pdf.set_xy(STAMP_PADDING, top + index * LEADING * size)
        pdf.cell(width - 2 * STAMP_PADDING, LEADING * size, line)
    return bytes(pdf.output())


def _inherited(page: generic.DictionaryObject, key: str):
    while key not in page and "/Parent" in page:
        page = page["/Parent"]
    return page[key]


def top_left_box(writer: IncrementalPdfFileWriter, size: tuple[float, float] = STAMP_SIZE) -> Box:
    """A box of `size` points inset from the top-left corner of page 1's visible area.

    Assumes the page is not rotated (/Rotate 0), as for scans made by `images_to_pdf`.
    """
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in (page.get("/CropBox") or _inherited(page, "/MediaBox")))
    left, top = min(x1, x2) + STAMP_MARGIN, max(y1, y2) - STAMP_MARGIN
    width = min(size[0], abs(x2 - x1) - 2 * STAMP_MARGIN)  # small scans get a narrower stamp
    return (left, top - size[1], left + width, top)


def _set_info_entries(writer: IncrementalPdfFileWriter, metadata: Mapping[str, str]) -> None:
    """Copy the document information dictionary with custom entries (e.g. /MotCuaDossier) added."""
    info = generic.DictionaryObject()
    if "/Info" in writer.prev.trailer_view:
        info.update(writer.prev.trailer_view["/Info"])
    for key, value in metadata.items():
        if not METADATA_KEY.fullmatch(key):
            raise ValueError(f"metadata key must be a plain PDF name, got {key!r}")
        info[generic.NameObject(f"/{key}")] = generic.TextStringObject(value)
    writer.set_info(info)


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field_name: str,
    reason: str,
    location: str,
    visible_box: Box | Literal["top-left"] | None = None,
    signer_display_name: str,
    signed_at: datetime,
    metadata: Mapping[str, str] | None = None,
) -> bytes:
    """Append one signature as an incremental update and return the whole signed PDF.

    `visible_box` is (x1, y1, x2, y2) in points on page 1, TOP_LEFT for the scan stamp,
    or None for an invisible signature. `metadata` entries go into the document
    information dictionary inside the signed revision.
    """
    aware(signed_at, "signed_at")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if metadata:
        _set_info_entries(writer, metadata)
    box = top_left_box(writer) if visible_box == TOP_LEFT else visible_box
    style = None
    if box is not None:
        width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
        style = _PageStampStyle(
            border_width=0,
            background=_PdfBytesPage(render_stamp(stamp_lines(signer_display_name, signed_at), width, height)),
            background_opacity=1.0,
            background_layout=SimpleBoxLayoutRule(AxisAlignment.ALIGN_MID, AxisAlignment.ALIGN_MID, Margins.uniform(0)),
        )
    pdf_signer = _TimedPdfSigner(
        signers.PdfSignatureMetadata(
            field_name=field_name, reason=reason, location=location, name=signer_display_name, md_algorithm="sha256"
        ),
        signer,
        stamp_style=style,
        # pyhanko annotates the field's box as ints, but a PDF rectangle takes reals (the stamp is placed in points)
        new_field_spec=fields.SigFieldSpec(field_name, on_page=0, box=box),  # type: ignore[arg-type]
        signed_at=signed_at,
    )
    return pdf_signer.sign_pdf(writer).getvalue()


class ScannedPdf(msgspec.Struct, frozen=True):
    """A PDF made from scanned images, one page per image."""

    pdf: bytes
    page_count: int


def images_to_pdf(images: Sequence[bytes], *, default_dpi: int = 300) -> ScannedPdf:
    """One page per PNG/JPEG image, sized from the image's DPI (default 300)."""
    if not images:
        raise ValueError("at least one image is needed")
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    for number, data in enumerate(images, start=1):
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError as error:
            raise ValueError(f"image {number} is not a readable image") from error
        if image.format not in ("PNG", "JPEG"):
            raise ValueError(f"image {number} is {image.format}; only PNG and JPEG are accepted")
        dpi = round(image.info.get("dpi", (default_dpi, default_dpi))[0])  # PNG stores pixels per metre
        dpi = dpi if dpi >= 50 else default_dpi  # some scanners write 1 dpi for "unknown"
        rotated = image.getexif().get(ExifTags.Base.Orientation, 1) not in (0, 1)
        upright = ImageOps.exif_transpose(image) if rotated else image
        width, height = (72 * side / dpi for side in upright.size)
        pdf.add_page(format=(width, height))
        # Upright images go in as the original bytes: fpdf2 embeds a JPEG without re-encoding it.
        pdf.image(upright if rotated else io.BytesIO(data), x=0, y=0, w=width, h=height)
    return ScannedPdf(pdf=bytes(pdf.output()), page_count=pdf.page_no())


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF (to compare with the paper original)."""
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])
