"""What the shipped catalogue holds (issue [13], catalogue part): every procedure validates, the 49 procedures of the
phase-2 kiosk are there, every department the seeds name has procedures, ID cards are return-only at the kiosk, and
ward procedures go to a ward."""

from __future__ import annotations

import re
import tomllib

import msgspec
import pytest

from domain.fees import FeeUnit
from domain.procedures import PROCEDURE_CODE, AgencyKind, Catalogue, Procedure, ResultKind, UnknownDepartmentError
from infrastructure.catalogue import DEFAULT_CATALOGUE, load_catalogue

# Seed 000 (Thông báo 18/TB-UBND Quận 6, 21/01/2025) §1 raises the kiosk to "49 TTHC thuộc thẩm quyền giải quyết của
# Quận ... theo Danh mục đính kèm". The attachment is NOT in the seed text, so this list is the catalogue's
# reconstruction of those 49 (district and ward procedures; the police's ID-card procedures come on top), each entry
# sourced or marked "# unverified" in infrastructure/data/procedures.toml. National numbers, province suffix dropped.
PHASE_2_KIOSK = [
    "1.001193",
    "1.000894",
    "1.000656",
    "1.004837",
    "2.000635",
    "1.001699",
    "2.000815",
    "2.000884",
    "2.000942",
    "2.000806",
    "1.001612",
    "2.000720",
    "1.001570",
    "1.001266",
    "1.009794",
    "1.001776",
    "1.001029",
    "1.004873",
    "1.001022",
    "1.000689",
    "1.004859",
    "1.004884",
    "1.004827",
    "2.000908",
    "2.001035",
    "1.001758",
    "2.000913",
    "2.000927",
    "2.000528",
    "2.000575",
    "2.000181",
    "2.000162",
    "2.000190",
    "2.000633",
    "2.000629",
    "1.001004",
    "1.004443",
    "1.004444",
    "1.004494",
    "1.004475",
    "1.008455",
    "1.009795",
    "1.001087",
    "1.001098",
    "1.010007",
    "1.010010",
    "1.009466",
    "1.009467",
    "1.009468",
]
# Every unit seed 000 names as handling dossiers: §4.1 the four departments, §4.2 the district police (ID cards).
# (§4.3 Văn phòng UBND runs the kiosk — Tổ tư vấn — and handles no procedure of its own.)
SEED_DEPARTMENTS = ["Phòng Quản lý đô thị", "Phòng Kinh tế", "Phòng Tài chính - Kế hoạch", "Phòng Giáo dục và Đào tạo"]
SEED_AGENCIES = ["Công an Quận 6"]


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


def test_every_procedure_of_the_file_validates_on_its_own() -> None:
    raw = tomllib.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    assert len(raw["procedures"]) >= 49 + 3
    for entry in raw["procedures"]:
        procedure = msgspec.convert(entry, Procedure)
        assert PROCEDURE_CODE.fullmatch(procedure.code), procedure.code
        assert procedure.components and procedure.name.strip() == procedure.name
        assert procedure.kiosk_enabled == procedure.kiosk_submission  # the legacy key the kiosk edge reads
        assert procedure.fee_for(1) == procedure.fee and procedure.fee_text


def test_the_49_procedures_of_the_phase_2_kiosk_are_present(shipped: Catalogue) -> None:
    assert len(PHASE_2_KIOSK) == len(set(PHASE_2_KIOSK)) == 49
    present = {p.code.split(".000.00.00.")[0]: p for p in shipped.procedures}
    assert [n for n in PHASE_2_KIOSK if n not in present] == []
    assert all(shipped.agency(present[n].agency).kind is not AgencyKind.POLICE for n in PHASE_2_KIOSK)


def test_every_value_is_traceable_to_a_source_or_marked_unverified() -> None:
    """The national number, the fee and the processing time of every procedure carry a comment: the source (a URL,
    a source tag of the file's header, or a document and article) or '# unverified'."""
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    for block in text.split("[[procedures]]")[1:]:
        for key in ("code", "fee", "processing_days"):
            line = re.search(rf"^{key} = .*$", block, re.M).group(0)
            comment = line.partition("#")[2]
            assert comment.strip(), f"no source for {line!r} in {block[:60]!r}"
            cited = re.search(
                r"unverified|https?://|\[[A-Z0-9]+\]|Thông tư|Nghị định|Luật|Điều|seed|DOMAIN|"
                r"section comment|ngay trong ngày|miễn lệ phí|không thu lệ phí",
                comment,
                re.I,
            )
            assert cited, f"{line!r} names no source"


def test_every_department_named_in_the_seeds_has_procedures(shipped: Catalogue) -> None:
    handled = {shipped.department(p.department).name for p in shipped.procedures}
    assert [name for name in SEED_DEPARTMENTS if name not in handled] == []
    agencies = {shipped.agency(p.agency).name for p in shipped.procedures}
    assert [name for name in SEED_AGENCIES if name not in agencies] == []
    for name in SEED_DEPARTMENTS:
        assert sum(shipped.department(p.department).name == name for p in shipped.procedures) >= 3, name


def test_no_id_card_procedure_is_offered_for_kiosk_submission_and_every_one_returns_there(shipped: Catalogue) -> None:
    cards = [p for p in shipped.procedures if p.result_kind is ResultKind.CCCD_CARD]
    assert len(cards) == 3
    assert [p.code for p in cards if p.kiosk_submission or p.kiosk_enabled] == []
    assert all(p.kiosk_return for p in cards)
    assert all(shipped.agency(p.agency).kind is AgencyKind.POLICE for p in cards)


def test_every_ward_procedure_is_routed_to_a_ward_agency_whichever_ward_handles_it(shipped: Catalogue) -> None:
    wards = shipped.wards()
    assert len(wards) >= 5 and all(w.name.startswith("Ủy ban nhân dân Phường ") for w in wards)
    ward_procedures = [p for p in shipped.procedures if shipped.is_ward_procedure(p)]
    assert {p.field for p in ward_procedures} >= {"Hộ tịch", "Chứng thực", "Bảo trợ xã hội"}
    for procedure in ward_procedures:
        for ward in wards:
            routed = shipped.for_ward(procedure, ward.code)
            assert routed.agency == ward.code and shipped.agency(routed.agency).kind is AgencyKind.WARD
            assert shipped.department(routed.department).agency == ward.code
            assert (routed.code, routed.fee, routed.components) == (procedure.code, procedure.fee, procedure.components)
    civil_status = [p for p in shipped.procedures if p.field == "Hộ tịch" and shipped.is_ward_procedure(p)]
    assert {shipped.for_ward(p, "H29.06.7").agency for p in civil_status} == {"H29.06.7"}  # not all to Phường 1


def test_a_district_procedure_stays_with_the_district_and_an_unknown_ward_is_refused(shipped: Catalogue) -> None:
    business = shipped.procedure("1.001612.000.00.00.H29")
    assert shipped.for_ward(business, "H29.06.7") is business
    birth = shipped.procedure("1.001193.000.00.00.H29")
    with pytest.raises(UnknownDepartmentError):
        shipped.for_ward(birth, "H29.06")
    with pytest.raises(UnknownDepartmentError):
        shipped.for_ward(birth, "H29.06.99")


@pytest.mark.parametrize(
    ("address", "ward"),
    [
        ("12 Bình Tiên, Phường 7, Quận 6, TP. Hồ Chí Minh", "H29.06.7"),
        ("12 Bình Tiên, Phường 07, Quận 6", "H29.06.7"),
        ("3 Tháp Mười, P.2, Q.6, TP.HCM", "H29.06.2"),
        ("8 Minh Phụng, phường 14, quận 6", "H29.06.14"),
        ("8 Minh Phụng, Phường 1, Quận 6", "H29.06.1"),
        ("8 Minh Phụng, Phường 17, Quận 6", None),  # no such ward
        ("12 Nguyễn Trãi, Phường 2, Quận 5, TP. Hồ Chí Minh", None),  # another district's Phường 2
        ("45 Hậu Giang, Phường 5, Quận 6", None),  # merged away: the default ward handles it
        ("", None),
    ],
)
def test_the_ward_is_read_from_the_address(shipped: Catalogue, address: str, ward: str | None) -> None:
    assert shipped.ward_of_address(address) == ward


def test_fees_carry_their_unit_and_its_vietnamese_label(shipped: Catalogue) -> None:
    copy = shipped.procedure("2.000815.000.00.00.H29")
    assert (copy.fee_unit, copy.fee_unit.label, copy.fee_later_from, copy.fee_later, copy.fee_max) == (
        FeeUnit.PAGE,
        "trang",
        3,
        1000,
        200000,
    )
    assert copy.fee_text == "2.000 đồng/trang; từ trang thứ 3: 1.000 đồng/trang; tối đa 200.000 đồng"
    assert shipped.procedure("2.000635.000.00.00.H29").fee_text == "8.000 đồng/bản"
    assert shipped.procedure("1.001193.000.00.00.H29").fee_text == "Miễn lệ phí"
    karaoke = shipped.procedure("1.001029.000.00.00.H29")
    assert (karaoke.fee_for(2), karaoke.fee_for(5), karaoke.fee_for(9)) == (4000000, 6000000, 12000000)
    assert {p.legal_value.label for p in shipped.procedures} == {"Tính pháp lý cao", "Thông thường"}


def test_a_dossier_codes_agency_says_which_ward_handles_it(shipped: Catalogue) -> None:
    birth, business = shipped.procedure("1.001193.000.00.00.H29"), shipped.procedure("1.001612.000.00.00.H29")
    assert shipped.as_handled_by(birth, "H29.06.7").department == "H29.06.7.TPHT"
    assert shipped.as_handled_by(birth, "H29.06.1") is birth
    assert shipped.as_handled_by(birth, "H29.01.3") is birth  # not a ward of this catalogue: the entry as listed
    assert shipped.as_handled_by(business, "H29.06.7") is business
