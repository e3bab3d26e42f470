"""The shipped procedure catalogue and the loader's refusal of broken catalogue files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from domain.procedures import (
    AGENCY_CODE,
    PROCEDURE_CODE,
    Catalogue,
    ComponentForm,
    ResultKind,
    UnknownDepartmentError,
    UnknownProcedureError,
)
from infrastructure.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue

BIRTH = "1.001193.000.00.00.H29"
MARRIAGE = "1.000894.000.00.00.H29"
DEATH = "1.000656.000.00.00.H29"


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


# ------------------------------------------------------------------------------------------
# The shipped catalogue
# ------------------------------------------------------------------------------------------


def test_shipped_catalogue_loads_with_at_least_15_procedures(shipped: Catalogue) -> None:
    assert shipped.version == "2026.1"
    assert shipped.effective_from == date(2026, 1, 1)
    assert len(shipped.procedures) >= 18
    assert len({p.code for p in shipped.procedures}) == len(shipped.procedures)


def test_default_path_is_the_shipped_data_file() -> None:
    assert DEFAULT_CATALOGUE.name == "procedures.toml"
    assert DEFAULT_CATALOGUE.is_file()


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (BIRTH, "Thủ tục đăng ký khai sinh"),
        (MARRIAGE, "Thủ tục đăng ký kết hôn"),
        (DEATH, "Thủ tục đăng ký khai tử"),
    ],
)
def test_seed_procedures_are_present(shipped: Catalogue, code: str, name: str) -> None:
    procedure = shipped.procedure(code)
    assert procedure.name == name
    assert procedure.field == "Hộ tịch"
    assert procedure.result_kind is ResultKind.DISTRICT_RESULT
    assert procedure.high_legal_value is True
    assert procedure.kiosk_submission is True and procedure.kiosk_enabled is True
    assert procedure.fee == 0


def test_every_procedure_code_carries_the_ho_chi_minh_city_suffix(shipped: Catalogue) -> None:
    for procedure in shipped.procedures:
        assert PROCEDURE_CODE.fullmatch(procedure.code), procedure.code
        assert procedure.code.endswith(".000.00.00.H29"), procedure.code


def test_every_procedure_names_a_department_of_its_agency(shipped: Catalogue) -> None:
    agencies = {agency.code for agency in shipped.agencies}
    for procedure in shipped.procedures:
        assert procedure.agency in agencies, procedure.code
        assert shipped.department(procedure.department).agency == procedure.agency, procedure.code


def test_agency_codes_can_prefix_a_dossier_code(shipped: Catalogue) -> None:
    assert "H29.06" in {agency.code for agency in shipped.agencies}
    for agency in shipped.agencies:
        assert AGENCY_CODE.fullmatch(agency.code), agency.code
        assert "-" not in agency.code
        assert re.fullmatch(r"[A-Z0-9.]+-\d{6}-\d{4}", f"{agency.code}-260520-0001")


def test_police_issue_at_least_two_cccd_card_procedures(shipped: Catalogue) -> None:
    cards = [p for p in shipped.procedures if p.result_kind is ResultKind.CCCD_CARD]
    assert len(cards) >= 2
    for procedure in cards:
        assert "căn cước" in procedure.name.lower()
        assert shipped.department(procedure.department).name.startswith("Đội Cảnh sát")
    police = {p.agency for p in cards}
    assert len(police) == 1
    assert not any(p.result_kind is ResultKind.CCCD_CARD for p in shipped.procedures if p.agency not in police)


def test_catalogue_spans_the_fields_a_district_handles(shipped: Catalogue) -> None:
    fields = {procedure.field for procedure in shipped.procedures}
    assert {
        "Hộ tịch",
        "Chứng thực",
        "Thành lập và hoạt động của hộ kinh doanh",
        "Hoạt động xây dựng",
        "Bảo trợ xã hội",
        "Văn hóa",
        "Cấp, quản lý căn cước",
    } <= fields


def test_fees_and_working_days_are_plausible_integers(shipped: Catalogue) -> None:
    for procedure in shipped.procedures:
        assert isinstance(procedure.fee, int) and procedure.fee >= 0
        assert 1 <= procedure.processing_days <= 30, procedure.code
        assert procedure.components, procedure.code
        for component in procedure.components:
            assert component.form in (ComponentForm.ORIGINAL, ComponentForm.COPY)
            assert component.count >= 1
    assert any(p.fee == 0 for p in shipped.procedures)
    assert any(p.fee > 0 for p in shipped.procedures)


def test_catalogue_has_both_kiosk_and_counter_only_procedures(shipped: Catalogue) -> None:
    assert any(p.kiosk_submission for p in shipped.procedures)
    assert any(not p.kiosk_submission for p in shipped.procedures)
    assert any(p.kiosk_submission and p.high_legal_value for p in shipped.procedures)


def test_unknown_codes_raise_lookup_errors_naming_the_code(shipped: Catalogue) -> None:
    with pytest.raises(UnknownProcedureError, match=r"'9\.999999\.000\.00\.00\.H29'"):
        shipped.procedure("9.999999.000.00.00.H29")
    with pytest.raises(UnknownDepartmentError, match="'NOPE'"):
        shipped.department("NOPE")


# ------------------------------------------------------------------------------------------
# Broken catalogue files
# ------------------------------------------------------------------------------------------

AGENCY = '[[agencies]]\ncode = "H29.06"\nname = "Ủy ban nhân dân Quận 6"\n'
DEPARTMENT = '[[departments]]\ncode = "TP"\nname = "Phòng Tư pháp"\nagency = "H29.06"\n'
COMPONENT = '[[procedures.components]]\nname = "Tờ khai"\nform = "original"\ncount = 1\n'
PROCEDURE_FIELDS = {
    "code": '"1.001193.000.00.00.H29"',
    "name": '"Thủ tục đăng ký khai sinh"',
    "field": '"Hộ tịch"',
    "agency": '"H29.06"',
    "department": '"TP"',
    "fee": "0",
    "processing_days": "1",
    "high_legal_value": "true",
    "kiosk_enabled": "true",
    "result_kind": '"district_result"',
}


def procedure(**overrides: str | None) -> str:
    """A [[procedures]] table; an override of None drops that key."""
    fields = PROCEDURE_FIELDS | overrides
    lines = [f"{key} = {value}" for key, value in fields.items() if value is not None]
    return "[[procedures]]\n" + "\n".join(lines) + "\n" + COMPONENT


def catalogue_text(*, agencies: str = AGENCY, departments: str = DEPARTMENT, procedures: str | None = None) -> str:
    body = procedure() if procedures is None else procedures
    return f'version = "test"\neffective_from = 2026-01-01\n{agencies}{departments}{body}'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "procedures.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_minimal_valid_file_used_below_loads(tmp_path: Path) -> None:
    loaded = load_catalogue(write(tmp_path, catalogue_text()))
    assert [p.code for p in loaded.procedures] == [BIRTH]
    assert loaded.procedure(BIRTH).components[0].form is ComponentForm.ORIGINAL


def test_missing_field_is_rejected_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure(fee=None)))
    with pytest.raises(CatalogueError, match=r"missing required field `fee`.*procedures\[0\]"):
        load_catalogue(path)


def test_unknown_field_is_rejected_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure(colour='"blue"')))
    with pytest.raises(CatalogueError, match=r"unknown field `colour`.*procedures\[0\]"):
        load_catalogue(path)


def test_negative_fee_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure(fee="-1000")))
    with pytest.raises(CatalogueError, match=r">= 0.*procedures\[0\]\.fee"):
        load_catalogue(path)


def test_fractional_fee_is_rejected_because_money_is_whole_dong(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure(fee="8000.5")))
    with pytest.raises(CatalogueError, match=r"Expected `int`.*procedures\[0\]\.fee"):
        load_catalogue(path)


@pytest.mark.parametrize(
    "code",
    ["1.001193", "1.001193.000.00.00.29", "1.1193.000.00.00.H29", "1.001193.000.00.00.h29", "1.001193.000.00.00.H29\n"],
)
def test_bad_procedure_code_is_rejected(tmp_path: Path, code: str) -> None:
    escaped = code.replace("\n", "\\n")
    path = write(tmp_path, catalogue_text(procedures=procedure(code=f'"{escaped}"')))
    with pytest.raises(CatalogueError, match=r"procedure code .* is not <n>\.<6 digits>\.000\.00\.00\.H<2 digits>"):
        load_catalogue(path)


def test_agency_code_with_a_dash_is_rejected(tmp_path: Path) -> None:
    agencies = AGENCY.replace('"H29.06"', '"H29-06"')
    text = catalogue_text(
        agencies=agencies,
        departments=DEPARTMENT.replace('"H29.06"', '"H29-06"'),
        procedures=procedure(agency='"H29-06"'),
    )
    with pytest.raises(CatalogueError, match=r"agency code 'H29-06' must be letters/digits separated by dots"):
        load_catalogue(write(tmp_path, text))


def test_department_of_unknown_agency_is_rejected(tmp_path: Path) -> None:
    departments = DEPARTMENT.replace('agency = "H29.06"', 'agency = "H29.99"')
    path = write(tmp_path, catalogue_text(departments=departments))
    with pytest.raises(CatalogueError, match=r"department 'TP' names unknown agency 'H29\.99'"):
        load_catalogue(path)


def test_procedure_routed_to_another_agencys_department_is_rejected(tmp_path: Path) -> None:
    agencies = AGENCY + '[[agencies]]\ncode = "H29.06.CA"\nname = "Công an Quận 6"\n'
    departments = DEPARTMENT + '[[departments]]\ncode = "QLHC"\nname = "Đội Cảnh sát"\nagency = "H29.06.CA"\n'
    path = write(
        tmp_path, catalogue_text(agencies=agencies, departments=departments, procedures=procedure(department='"QLHC"'))
    )
    with pytest.raises(CatalogueError, match=r"department 'QLHC' of agency 'H29\.06\.CA', not of its agency 'H29\.06'"):
        load_catalogue(path)


def test_procedure_naming_unknown_department_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure(department='"NOPE"')))
    with pytest.raises(CatalogueError, match=r"names unknown department 'NOPE'"):
        load_catalogue(path)


def test_duplicate_procedure_code_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure() + procedure(name='"Bản trùng"')))
    with pytest.raises(CatalogueError, match=r"duplicate procedure code '1\.001193\.000\.00\.00\.H29'"):
        load_catalogue(path)


def test_procedure_without_components_is_rejected(tmp_path: Path) -> None:
    bare = procedure().replace(COMPONENT, "components = []\n")
    path = write(tmp_path, catalogue_text(procedures=bare))
    with pytest.raises(CatalogueError, match=r"lists no required components"):
        load_catalogue(path)


def test_unknown_result_kind_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text(procedures=procedure(result_kind='"passport"')))
    with pytest.raises(CatalogueError, match=r"Invalid enum value 'passport'.*result_kind"):
        load_catalogue(path)


def test_invalid_toml_is_rejected_with_the_path(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_text() + "fee = = 3\n")
    with pytest.raises(CatalogueError, match=r"is not valid TOML") as raised:
        load_catalogue(path)
    assert str(path) in str(raised.value)


def test_missing_file_is_rejected_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(CatalogueError, match=r"catalogue file not found") as raised:
        load_catalogue(path)
    assert str(path) in str(raised.value)


def test_non_utf8_file_is_rejected_as_a_catalogue_error(tmp_path: Path) -> None:
    path = tmp_path / "procedures.toml"
    # "Tờ khai" saved in a legacy single-byte encoding (ơ as byte 0xF5) by a careless editor.
    path.write_bytes(catalogue_text().encode("utf-8").replace("Tờ khai".encode(), b"T\xf5 khai"))
    with pytest.raises(CatalogueError, match=r"is not UTF-8 text"):
        load_catalogue(path)


def test_a_directory_instead_of_a_file_is_rejected_as_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"cannot be read"):
        load_catalogue(tmp_path)
