"""The month scenario's own record: each dossier as the scenario handled it, every payment, refund, collection,
receipt and tray, written down as it happened (never read back from the system)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.procedures import Procedure
from domain.values import SatisfactionLevel
from tests.kiosk_support import Citizen


@dataclass
class Payment:
    """Money paid for a dossier; `version` is the dossier event that recorded it, `receipt` its number."""

    code: str
    agency: str
    method: str  # cash / bank_qr
    amount: int
    at: datetime
    version: int
    kiosk: str | None  # cash put into this kiosk's box
    receipt: int | None = None


@dataclass
class Refund:
    code: str
    agency: str
    amount: int
    method: str  # cash / bank_transfer
    reason: str  # excess / rejected
    at: datetime


@dataclass
class Collection:
    """One opening of a kiosk: the cash that was in the box, by department, and the envelopes in the bin."""

    kiosk: str
    at: datetime
    amount: int
    split: dict[str, int]
    envelopes: list[str]


@dataclass
class Case:
    """One dossier. `steps` are the moments a citizen may be told something, in order (see test_month.MESSAGES)."""

    code: str
    agency: str
    department: str
    procedure: Procedure
    channel: str  # kiosk / counter / online
    citizen: Citizen
    received_at: datetime
    fee: int
    due_on: date | None
    kiosk: str | None  # the kiosk it was submitted at
    card: bool
    reject: bool
    stage: str = "submitted"
    next_day: date | None = None
    in_department: date | None = None
    return_kiosk: str | None = None
    never_comes: bool | None = None
    rejected: bool = False
    payments: list[Payment] = field(default_factory=list)
    refunded: int = 0
    loads: list[tuple[str, int, datetime]] = field(default_factory=list)  # (kiosk, tray, at)
    pulled: int = 0
    delivered_at: datetime | None = None
    returned: str | None = None  # kiosk / counter
    level: SatisfactionLevel | None = None
    reused: bool = False  # a document from the applicant's vault was reused at receipt (seed 002)
    steps: list[str] = field(default_factory=list)

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payments)

    @property
    def owed(self) -> int:
        """The fee still due: none once rejected (everything paid comes back)."""
        return 0 if self.rejected else self.fee

    @property
    def shortfall(self) -> int:
        return max(self.owed - (self.paid - self.refunded), 0)

    @property
    def excess(self) -> int:
        return max(self.paid - self.refunded - self.owed, 0)


@dataclass
class Ledger:
    """Everything the month did, in the terms the books are kept in."""

    trays: dict[str, dict[int, str]]  # kiosk → tray → dossier code now in it
    boxes: dict[str, dict[str, int]]  # kiosk → dossier → cash in the box since the last collection
    cases: dict[str, Case] = field(default_factory=dict)
    payments: list[Payment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    cash_in: defaultdict[tuple[str, date], int] = field(default_factory=lambda: defaultdict(int))
    collections: list[Collection] = field(default_factory=list)
    bin: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    envelopes_used: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    receipts: dict[tuple[str, int], Payment] = field(default_factory=dict)  # (agency, number) → payment
    replaced: dict[tuple[str, int], int] = field(default_factory=dict)  # cancelled number → its replacement
    reloaded: str | None = None
    numbers: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    def due(self, day: date, stage: str) -> list[Case]:
        """The dossiers at `stage` whose next step falls on or before `day`, in the order they came."""
        return [c for c in self.cases.values() if c.stage == stage and c.next_day is not None and c.next_day <= day]

    def next_receipt(self, agency: str) -> int:
        """The next number of the agency's receipt series: 1, 2, 3 … without gaps."""
        self.numbers[agency] += 1
        return self.numbers[agency]
