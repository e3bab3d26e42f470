"""Procedure catalogue (danh mục thủ tục hành chính): the single source of procedure facts."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec

from domain.money import Fee

# Used with fullmatch: `$` alone would accept a trailing newline; ASCII keeps \d to 0-9.
PROCEDURE_CODE = re.compile(r"\d\.\d{6}\.000\.00\.00\.H\d{2}", re.ASCII)
AGENCY_CODE = re.compile(r"[A-Z0-9]+(\.[A-Z0-9]+)*", re.ASCII)


class ResultKind(StrEnum):
    """What comes back to the citizen: a district result, or a CCCD card returned by the police."""

    DISTRICT_RESULT = "district_result"
    CCCD_CARD = "cccd_card"


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
    processing_days: Annotated[int, msgspec.Meta(ge=0, le=365)]
    high_legal_value: bool
    kiosk_enabled: bool
    result_kind: ResultKind
    components: list[RequiredComponent]


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
            return self._by_code[code]
        except KeyError:
            raise UnknownProcedureError(code) from None

    @property
    def _by_code(self) -> dict[str, Procedure]:
        index = _INDEXES.get(id(self))
        if index is None or index[0] is not self:
            index = _INDEXES[id(self)] = (self, {p.code: p for p in self.procedures})
        return index[1]

    def agency(self, code: str) -> Agency:
        """The agency with this code, or UnknownDepartmentError."""
        for agency in self.agencies:
            if agency.code == code:
                return agency
        raise UnknownDepartmentError(code)

    def department(self, code: str) -> Department:
        """The department with this code, or UnknownDepartmentError."""
        for department in self.departments:
            if department.code == code:
                return department
        raise UnknownDepartmentError(code)


_INDEXES: dict[int, tuple[Catalogue, dict[str, Procedure]]] = {}
"""Procedure lookup tables per catalogue (the Struct is frozen, so the index lives beside it)."""


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


def _unique(kind: str, codes: list[str]) -> set[str]:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {kind} code {code!r}")
        seen.add(code)
    return seen
