"""The catalogue's own rules, each refused with a message that says what is wrong (issue [13], catalogue part)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from infrastructure.catalogue import CatalogueError, load_catalogue

HEAD = """version = "t"
effective_from = 2026-01-01
agencies = [{code = "H29.06", name = "Ủy ban nhân dân Quận 6", kind = "district"},
            {code = "H29.06.1", name = "Ủy ban nhân dân Phường 1, Quận 6", kind = "ward"},
            {code = "H29.06.7", name = "Ủy ban nhân dân Phường 7, Quận 6", kind = "ward"},
            {code = "H29.06.CA", name = "Công an Quận 6", kind = "police"}]
departments = [{code = "H29.06.TP", name = "Phòng Tư pháp", agency = "H29.06"},
               {code = "H29.06.1.TPHT", name = "Tư pháp - Hộ tịch", agency = "H29.06.1"},
               {code = "H29.06.7.TPHT", name = "Tư pháp - Hộ tịch", agency = "H29.06.7"},
               {code = "H29.06.CA.QLHC", name = "Đội QLHC", agency = "H29.06.CA"}]
"""
BASE = {
    "code": "2.000815.000.00.00.H29",
    "name": "Chứng thực bản sao",
    "field": "Chứng thực",
    "agency": "H29.06",
    "department": "H29.06.TP",
    "fee": 2000,
    "processing_days": 1,
    "high_legal_value": False,
    "kiosk_submission": True,
    "kiosk_return": True,
    "result_kind": "district_result",
    "components": [{"name": "Bản chính", "form": "original"}],
}


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def load(tmp_path: Path, head: str = HEAD, **changes: object):
    entry = copy.deepcopy(BASE) | changes
    entry = {k: v for k, v in entry.items() if v is not None}
    text = head + "\n[[procedures]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in entry.items())
    path = tmp_path / "procedures.toml"
    path.write_text(text, encoding="utf-8")
    return load_catalogue(path)


def test_the_minimal_file_of_the_new_format_loads(tmp_path: Path) -> None:
    catalogue = load(tmp_path, fee_unit="page", fee_later_from=3, fee_later=1000, fee_max=200000)
    procedure = catalogue.procedure(BASE["code"])
    assert procedure.kiosk_submission and procedure.kiosk_return and procedure.kiosk_enabled is None
    assert procedure.fee_for(4) == 2000 * 2 + 1000 * 2


def test_an_id_card_procedure_offered_for_kiosk_submission_is_refused(tmp_path: Path) -> None:
    card = dict(code="2.001195.000.00.00.H29", agency="H29.06.CA", department="H29.06.CA.QLHC", result_kind="cccd_card")
    assert load(tmp_path, **card, kiosk_submission=False).procedure(card["code"]).kiosk_return
    with pytest.raises(CatalogueError, match=r"ID-card procedures are return-only at the kiosk"):
        load(tmp_path, **card)


def test_an_old_file_with_only_kiosk_enabled_is_read_as_kiosk_submission(tmp_path: Path) -> None:
    procedure = load(tmp_path, kiosk_submission=None, kiosk_return=None, kiosk_enabled=False).procedure(BASE["code"])
    assert (procedure.kiosk_submission, procedure.kiosk_return) == (False, True)
    with pytest.raises(CatalogueError, match=r"ID-card procedures are return-only"):  # the seed contradiction is caught
        load(
            tmp_path,
            kiosk_submission=None,
            kiosk_return=None,
            kiosk_enabled=True,
            agency="H29.06.CA",
            department="H29.06.CA.QLHC",
            result_kind="cccd_card",
        )


def test_a_legacy_flag_that_disagrees_with_kiosk_submission_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"legacy kiosk_enabled must equal kiosk_submission"):
        load(tmp_path, kiosk_enabled=False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fee_unit": "page", "fee_later_from": 3}, r"fee_later_from and fee_later go together"),
        ({"fee_unit": "page", "fee_max": 1000}, r"fee_max is below the fee of one unit"),
        ({"fee_max": 200000}, r"a per-dossier fee has no later-unit price or maximum"),
        ({"fee_unit": "furlong"}, r"fee_unit"),
        ({"fee_unit": "page", "fee_later_from": 1, "fee_later": 1000}, r"fee_later_from"),
        (
            {
                "fee_unit": "room",
                "fee": 4,
                "fee_bands": [{"up_to": 5, "amount": 4}, {"up_to": 3, "amount": 6}, {"amount": 12}],
            },
            r"fee_bands need increasing up_to and a last open band",
        ),
        (
            {"fee_unit": "room", "fee": 4, "fee_bands": [{"up_to": 3, "amount": 4}, {"up_to": 5, "amount": 6}]},
            r"fee_bands need increasing up_to and a last open band",
        ),
        (
            {"fee_unit": "room", "fee": 9, "fee_bands": [{"up_to": 3, "amount": 4}, {"amount": 6}]},
            r"`fee` is its first band",
        ),
        ({"kiosk_return": "yes"}, r"kiosk_return"),
    ],
)
def test_a_broken_fee_rule_or_flag_is_refused_with_its_reason(tmp_path: Path, changes: dict, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        load(tmp_path, **changes)


def test_a_ward_missing_the_section_a_ward_procedure_needs_is_refused(tmp_path: Path) -> None:
    ward = dict(code="1.001193.000.00.00.H29", agency="H29.06.1", department="H29.06.1.TPHT", fee=0)
    catalogue = load(tmp_path, **ward)
    assert catalogue.for_ward(catalogue.procedure(ward["code"]), "H29.06.7").department == "H29.06.7.TPHT"
    section = '{code = "H29.06.7.TPHT", name = "Tư pháp - Hộ tịch", agency = "H29.06.7"},'
    head = HEAD.replace(section, "")
    assert head != HEAD
    with pytest.raises(CatalogueError, match=r"ward 'H29.06.7' has no department 'H29.06.7.TPHT'"):
        load(tmp_path, head=head, **ward)
