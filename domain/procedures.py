"""Procedure catalogue (danh mục thủ tục hành chính): the single source of procedure facts."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec

from domain.fees import MAX_QUANTITY, FeeBand, FeeUnit, fee_due
from domain.money import Fee

# Used with fullmatch: `$` alone would accept a trailing newline; ASCII keeps \d to 0-9.
PROCEDURE_CODE = re.compile(r"\d\.\d{6}\.000\.00\.00\.H\d{2}", re.ASCII)
AGENCY_CODE = re.compile(r"[A-Z0-9]+(\.[A-Z0-9]+)*", re.ASCII)
BRANDNAME = r"^[A-Za-z0-9 .\-]{1,11}$"
"""An SMS brandname (tên định danh): at most 11 ASCII letters, digits, spaces, dots or hyphens."""


class ResultKind(StrEnum):
    """What comes back to the citizen: a district result, or a CCCD card returned by the police."""

    DISTRICT_RESULT = "district_result"
    CCCD_CARD = "cccd_card"


class AgencyKind(StrEnum):
    """Where an agency sits: the district People's Committee, one of its wards, or the district police."""

    DISTRICT = "district"
    WARD = "ward"
    POLICE = "police"


class LegalValue(StrEnum):
    """Legal-value level (tính pháp lý): a high one needs face verification at kiosk submission and pickup."""

    STANDARD = "standard"
    HIGH = "high"

    @property
    def label(self) -> str:
        return "Tính pháp lý cao" if self is LegalValue.HIGH else "Thông thường"


class ComponentForm(StrEnum):
    """Original (bản chính) or copy (bản sao)."""

    ORIGINAL = "original"
    COPY = "copy"


NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Count = Annotated[int, msgspec.Meta(ge=1, le=50)]


class RequiredComponent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A document the procedure requires (thành phần hồ sơ)."""

    name: NonEmpty
    form: ComponentForm
    count: Count = 1


class Agency(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An agency (cơ quan) whose code prefixes its dossier codes."""

    code: NonEmpty
    name: NonEmpty
    kind: AgencyKind = AgencyKind.DISTRICT
    sms_brandname: Annotated[str, msgspec.Meta(pattern=BRANDNAME)] | None = None
    """The sender name its SMS carry (District 6: UBNDQUAN6); a ward or unit without one sends under its district's."""


class Department(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A department (phòng ban) of an agency that processes dossiers."""

    code: NonEmpty
    name: NonEmpty
    agency: NonEmpty


class Procedure(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One catalogued administrative procedure (thủ tục hành chính)."""

    code: NonEmpty
    name: NonEmpty
    field: NonEmpty
    agency: NonEmpty
    department: NonEmpty
    fee: Fee
    """Đồng per unit (`fee_unit`); for one unit this is the whole fee."""
    processing_days: Annotated[int, msgspec.Meta(ge=0, le=365)]
    high_legal_value: bool
    kiosk_submission: bool
    """Offered for submission at the kiosk (seed 000 §1)."""
    kiosk_return: bool
    """Its result may be returned through a kiosk tray (seed 000 §2)."""
    result_kind: ResultKind
    components: list[RequiredComponent]
    fee_unit: FeeUnit = FeeUnit.DOSSIER
    fee_later_from: Annotated[int, msgspec.Meta(ge=2, le=MAX_QUANTITY)] | None = None
    """From this unit on, each unit costs `fee_later` instead of `fee` (e.g. from the third page)."""
    fee_later: Fee | None = None
    fee_max: Fee | None = None
    """The most charged for one dossier whatever the quantity (e.g. 200.000 đồng/bản)."""
    fee_bands: list[FeeBand] | None = None
    """A banded fee: the amount by quantity band, in increasing `up_to`, the last band open (karaoke by rooms)."""
    kiosk_enabled: bool | None = None
    """Legacy name of `kiosk_submission`, still written in the file for readers of the raw TOML (kiosk_edge);
    when present it must equal `kiosk_submission`."""

    @property
    def legal_value(self) -> LegalValue:
        return LegalValue.HIGH if self.high_legal_value else LegalValue.STANDARD

    def fee_for(self, quantity: int = 1) -> int:
        """The amount due for `quantity` units (pages, copies, rooms…) given at receipt; FeeQuantityError if out of
        range."""
        return fee_due(
            self.fee,
            quantity,
            later_from=self.fee_later_from,
            later_fee=self.fee_later,
            most=self.fee_max,
            bands=self.fee_bands,
        )

    @property
    def fee_text(self) -> str:
        """The fee as a citizen reads it: 'Miễn lệ phí', '8.000 đồng/bản', '2.000 đồng/trang; từ trang thứ 3: 1.000
        đồng/trang; tối đa 200.000 đồng'."""
        if not self.fee and not self.fee_later and not self.fee_bands:
            return "Miễn lệ phí"
        unit = self.fee_unit.label
        if self.fee_bands:
            return "; ".join(
                f"đến {b.up_to} {unit}: {_dong(b.amount)}" if b.up_to else f"trên đó: {_dong(b.amount)}"
                for b in self.fee_bands
            )
        text = f"{_dong(self.fee)}/{unit}"
        if self.fee_later_from is not None and self.fee_later is not None:
            text += f"; từ {unit} thứ {self.fee_later_from}: {_dong(self.fee_later)}/{unit}"
        if self.fee_max is not None:
            text += f"; tối đa {_dong(self.fee_max)}"
        return text


class Catalogue(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A versioned catalogue of agencies, departments and procedures."""

    version: NonEmpty
    effective_from: date
    agencies: list[Agency]
    departments: list[Department]
    procedures: list[Procedure]

    def __post_init__(self) -> None:
        _check_catalogue(self)

    def procedure(self, code: str) -> Procedure:
        """The procedure with this code, or UnknownProcedureError."""
        try:
            return self._index.procedures[code]
        except KeyError:
            raise UnknownProcedureError(code) from None

    @property
    def _index(self) -> _Index:
        index = _INDEXES.get(id(self))
        if index is None or index.catalogue is not self:
            index = _INDEXES[id(self)] = _Index(self)
        return index

    def wards(self) -> list[Agency]:
        """The ward People's Committees (UBND phường) of the catalogue."""
        return list(self._index.wards)

    def ward_codes(self) -> frozenset[str]:
        """The agency codes of the catalogue's wards."""
        return self._index.ward_codes

    def is_ward_procedure(self, procedure: Procedure) -> bool:
        return self.agency(procedure.agency).kind is AgencyKind.WARD

    def for_ward(self, procedure: Procedure, ward: str | None) -> Procedure:
        """A ward procedure as handled by `ward` (an agency code): same procedure, that ward's agency and department.

        A ward's procedures go to that ward: the catalogue lists each ward procedure once, under a default ward,
        and every ward has the same kinds of department (the part of the department code after the agency code).
        District and police procedures, and `ward=None`, return the procedure unchanged. UnknownDepartmentError if
        `ward` is not a ward of the catalogue."""
        if ward is None or not self.is_ward_procedure(procedure):
            return procedure
        agency = self.agency(ward)
        if agency.kind is not AgencyKind.WARD:
            raise UnknownDepartmentError(ward)
        department = ward + procedure.department[len(procedure.agency) :]
        self.department(department)
        return msgspec.structs.replace(procedure, agency=ward, department=department)

    def as_handled_by(self, procedure: Procedure, agency: str) -> Procedure:
        """The procedure as `agency` (the agency part of a dossier code) handles it: a ward procedure received by
        another ward has that ward's agency and section; anything else is returned unchanged."""
        if agency == procedure.agency or not self.is_ward_procedure(procedure):
            return procedure
        if agency not in self.ward_codes():
            return procedure
        return self.for_ward(procedure, agency)

    def ward_of_address(self, address: str) -> str | None:
        """The ward agency whose name ('Phường 7, Quận 6') the address names, or None (the default ward then)."""
        for code, pattern in self._index.ward_places:
            if pattern.search(address):
                return code
        return None

    def agency(self, code: str) -> Agency:
        """The agency with this code, or UnknownDepartmentError."""
        try:
            return self._index.agencies[code]
        except KeyError:
            raise UnknownDepartmentError(code) from None

    def sms_brandname(self, code: str) -> str | None:
        """The SMS sender of an agency: its own brandname, else the nearest enclosing agency's (H29.06.1 and
        H29.06.CA send as H29.06 does), else None (the gateway's default sender)."""
        known = {agency.code: agency.sms_brandname for agency in self.agencies}
        parts = code.split(".")
        for end in range(len(parts), 0, -1):
            brandname = known.get(".".join(parts[:end]))
            if brandname:
                return brandname
        return None

    def department(self, code: str) -> Department:
        """The department with this code, or UnknownDepartmentError."""
        for department in self.departments:
            if department.code == code:
                return department
        raise UnknownDepartmentError(code)


def _dong(amount: int) -> str:
    return f"{amount:,} đồng".replace(",", ".")


def _place_pattern(place: str) -> re.Pattern[str]:
    """'Phường 7, Quận 6' matches 'P.7, Q.6', 'Phường 07, Quận 6', not 'Phường 17, Quận 6'."""
    parts = re.findall(r"(Phường|Quận)\s+0*(\d+)", place)
    if not parts:
        return re.compile(re.escape(place), re.IGNORECASE)
    short = {"Phường": r"(?:Phường|P\.)", "Quận": r"(?:Quận|Q\.)"}
    body = r"[\s,\-]+".join(rf"{short[word]}\s*0*{number}(?!\d)" for word, number in parts)
    return re.compile(rf"(?<!\w){body}", re.IGNORECASE)


class _Index:
    """A catalogue's lookup tables, made once: every dossier received looks up its procedure, the agency, the wards
    and the ward its address names."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.procedures = {p.code: p for p in catalogue.procedures}
        self.agencies: dict[str, Agency] = {}
        for agency in catalogue.agencies:
            self.agencies.setdefault(agency.code, agency)  # the first of a code, as a search from the start finds
        self.wards = tuple(a for a in catalogue.agencies if a.kind is AgencyKind.WARD)
        self.ward_codes = frozenset(ward.code for ward in self.wards)
        self.ward_places = tuple(
            (ward.code, _place_pattern(ward.name.removeprefix("Ủy ban nhân dân ").strip())) for ward in self.wards
        )


_INDEXES: dict[int, _Index] = {}
"""Lookup tables per catalogue (the Struct is frozen, so the index lives beside it)."""


class UnknownProcedureError(LookupError):
    """No procedure with that code in the catalogue."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown procedure code {code!r}")
        self.code = code


class UnknownDepartmentError(LookupError):
    """No department with that code in the catalogue."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown department code {code!r}")
        self.code = code


def _check_catalogue(catalogue: Catalogue) -> None:
    agencies = _unique("agency", [a.code for a in catalogue.agencies])
    departments = _unique("department", [d.code for d in catalogue.departments])
    department_agency = {d.code: d.agency for d in catalogue.departments}
    _unique("procedure", [p.code for p in catalogue.procedures])
    for agency in agencies:
        if not AGENCY_CODE.fullmatch(agency):
            raise ValueError(f"agency code {agency!r} must be letters/digits separated by dots")
    for department in catalogue.departments:
        if department.agency not in agencies:
            raise ValueError(f"department {department.code!r} names unknown agency {department.agency!r}")
    for procedure in catalogue.procedures:
        if not PROCEDURE_CODE.fullmatch(procedure.code):
            raise ValueError(f"procedure code {procedure.code!r} is not <n>.<6 digits>.000.00.00.H<2 digits>")
        if procedure.agency not in agencies:
            raise ValueError(f"procedure {procedure.code!r} names unknown agency {procedure.agency!r}")
        if procedure.department not in departments:
            raise ValueError(f"procedure {procedure.code!r} names unknown department {procedure.department!r}")
        if department_agency[procedure.department] != procedure.agency:
            raise ValueError(
                f"procedure {procedure.code!r} names department {procedure.department!r} "
                f"of agency {department_agency[procedure.department]!r}, not of its agency {procedure.agency!r}"
            )
        if not procedure.components:
            raise ValueError(f"procedure {procedure.code!r} lists no required components")
        _check_procedure_rules(procedure)
    _check_wards(catalogue, department_agency)


def _check_procedure_rules(procedure: Procedure) -> None:
    if procedure.kiosk_enabled is not None and procedure.kiosk_enabled != procedure.kiosk_submission:
        raise ValueError(f"procedure {procedure.code!r}: legacy kiosk_enabled must equal kiosk_submission")
    if procedure.result_kind is ResultKind.CCCD_CARD and procedure.kiosk_submission:
        raise ValueError(
            f"procedure {procedure.code!r}: ID-card procedures are return-only at the kiosk "
            "(seed 000 §2.2), kiosk_submission must be false"
        )
    if (procedure.fee_later_from is None) != (procedure.fee_later is None):
        raise ValueError(f"procedure {procedure.code!r}: fee_later_from and fee_later go together")
    if procedure.fee_max is not None and procedure.fee_max < procedure.fee:
        raise ValueError(f"procedure {procedure.code!r}: fee_max is below the fee of one unit")
    if procedure.fee_bands:
        closed = [b.up_to for b in procedure.fee_bands[:-1] if b.up_to is not None]
        if (
            procedure.fee_bands[-1].up_to is not None
            or len(closed) != len(procedure.fee_bands) - 1
            or closed != sorted(set(closed))
        ):
            raise ValueError(f"procedure {procedure.code!r}: fee_bands need increasing up_to and a last open band")
        if procedure.fee != procedure.fee_bands[0].amount or procedure.fee_later_from is not None:
            raise ValueError(
                f"procedure {procedure.code!r}: a banded fee's `fee` is its first band, with no later-unit price"
            )
    if procedure.fee_unit is FeeUnit.DOSSIER and (
        procedure.fee_later_from is not None or procedure.fee_max is not None or procedure.fee_bands
    ):
        raise ValueError(f"procedure {procedure.code!r}: a per-dossier fee has no later-unit price or maximum")


def _check_wards(catalogue: Catalogue, department_agency: dict[str, str]) -> None:
    """Every ward has every kind of department a ward procedure needs, so for_ward can route to any ward."""
    wards = {a.code for a in catalogue.agencies if a.kind is AgencyKind.WARD}
    for procedure in catalogue.procedures:
        if procedure.agency not in wards:
            continue
        suffix = procedure.department[len(procedure.agency) :]
        for ward in wards:
            if department_agency.get(ward + suffix) != ward:
                raise ValueError(
                    f"ward {ward!r} has no department {ward + suffix!r} for ward procedure {procedure.code!r}"
                )


def _unique(kind: str, codes: list[str]) -> set[str]:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {kind} code {code!r}")
        seen.add(code)
    return seen
