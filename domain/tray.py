"""Tray aggregate (khay trả hồ sơ): one return compartment of a kiosk; never holds two results."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.errors import ActionNotAllowedError, InvalidValueError
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor, Party


class TrayStatus(StrEnum):
    """A tray is empty, holds one result, or is out of service."""

    EMPTY = "empty"
    LOADED = "loaded"
    OUT_OF_SERVICE = "out_of_service"


class PickupMethod(StrEnum):
    """How the citizen proved the right to the result at the kiosk."""

    CCCD_AND_RECEIPT = "cccd_and_receipt"
    CODE_AND_OTP = "code_and_otp"
    CMND_AND_RECEIPT = "cmnd_and_receipt"  # the old 9-digit ID card, the receipt and an OTP to the dossier's phone


TRAY_ALLOWED: dict[str, frozenset[TrayStatus]] = {
    "load": frozenset({TrayStatus.EMPTY}),
    "release": frozenset({TrayStatus.LOADED}),
    "pull_back": frozenset({TrayStatus.LOADED}),
    "take_out_of_service": frozenset({TrayStatus.EMPTY, TrayStatus.LOADED}),
    "return_to_service": frozenset({TrayStatus.OUT_OF_SERVICE}),
}


def tray_id(kiosk_id: str, number: int) -> UUID:
    """The aggregate id of tray `number` of a kiosk."""
    return uuid5(NAMESPACE_URL, f"/trays/{kiosk_id}/{number}")


class Tray(MonotonicTime, FlatCopy, Aggregate):
    """One of the kiosk's return compartments."""

    class State(TypedDict):
        kiosk_id: str
        number: int
        status: TrayStatus
        dossier_code: str | None
        loaded_at: datetime | None
        loaded_by: Actor | None
        status_before_fault: TrayStatus | None
        last_at: datetime | None

    class Event(ActedEvent):
        """Every tray event: who acted, and when."""

    class Installed(Aggregate.Created, Event):
        """The tray exists, empty."""

        kiosk_id: str
        number: int

    class Loaded(Event):
        """A result was put in the tray by kiosk staff."""

        dossier_code: str

    class Released(Event):
        """The door opened for the citizen, who took the result."""

        dossier_code: str
        method: PickupMethod
        face_checked: bool

    class PulledBack(Event):
        """An overdue result was taken out by staff and handed on."""

        dossier_code: str
        receiver: Party

    class TakenOutOfService(Event):
        """The door or sensor is faulty; no loading until repaired."""

        reason: str

    class ReturnedToService(Event):
        """Repaired."""

    def __init__(self, *, kiosk_id: str, number: int, actor: Actor, at: datetime) -> None:
        self.kiosk_id, self.number = kiosk_id, number
        self.status = TrayStatus.EMPTY
        self.dossier_code: str | None = None
        self.loaded_at: datetime | None = None
        self.loaded_by: Actor | None = None
        self.status_before_fault: TrayStatus | None = None

    @classmethod
    def install(cls, *, kiosk_id: str, number: int, actor: Actor, at: datetime) -> Tray:
        """A new empty tray."""
        if not 1 <= number <= 500:
            raise InvalidValueError("number", "tray numbers run from 1", "số khay phải từ 1 trở lên")
        return cls._create(
            cls.Installed, id=tray_id(kiosk_id, number), kiosk_id=kiosk_id, number=number, actor=actor, at=at
        )

    @property
    def free(self) -> bool:
        """Empty and in service."""
        return self.status is TrayStatus.EMPTY

    def _require(self, action: str) -> None:
        if self.status not in TRAY_ALLOWED[action]:
            allowed = sorted(a for a, states in TRAY_ALLOWED.items() if self.status in states)
            raise ActionNotAllowedError(action, f"tray {self.number} {self.status.value}", allowed)

    def load(self, *, dossier_code: str, actor: Actor, at: datetime) -> None:
        """Put a result in the empty tray."""
        self._require("load")
        self._loaded(dossier_code=dossier_code, actor=actor, at=at)

    def release(
        self, *, dossier_code: str, method: PickupMethod, face_checked: bool, actor: Actor, at: datetime
    ) -> None:
        """Open the door for the citizen holding the right to this result."""
        self._require("release")
        self._check_holds(dossier_code)
        self._released(
            dossier_code=dossier_code, method=PickupMethod(method), face_checked=face_checked, actor=actor, at=at
        )

    def pull_back(self, *, dossier_code: str, receiver: Party, actor: Actor, at: datetime) -> None:
        """Take an overdue result out for the one-stop officer or the police."""
        self._require("pull_back")
        self._check_holds(dossier_code)
        self._pulled_back(dossier_code=dossier_code, receiver=receiver, actor=actor, at=at)

    def take_out_of_service(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """Door fault: stop using the tray (a result inside stays recorded)."""
        self._require("take_out_of_service")
        self._taken_out_of_service(reason=reason, actor=actor, at=at)

    def return_to_service(self, *, actor: Actor, at: datetime) -> None:
        """Repaired: back to what it was before the fault."""
        self._require("return_to_service")
        self._returned_to_service(actor=actor, at=at)

    def _check_holds(self, dossier_code: str) -> None:
        if self.dossier_code != dossier_code:
            raise InvalidValueError(
                "dossier_code", f"tray {self.number} holds another result", f"khay {self.number} đang chứa kết quả khác"
            )

    @event(Loaded)
    def _loaded(self, dossier_code: str, actor: Actor, at: datetime) -> None:
        self.status, self.dossier_code, self.loaded_at, self.loaded_by = TrayStatus.LOADED, dossier_code, at, actor

    @event(Released)
    def _released(
        self, dossier_code: str, method: PickupMethod, face_checked: bool, actor: Actor, at: datetime
    ) -> None:
        self.status, self.dossier_code, self.loaded_at, self.loaded_by = TrayStatus.EMPTY, None, None, None

    @event(PulledBack)
    def _pulled_back(self, dossier_code: str, receiver: Party, actor: Actor, at: datetime) -> None:
        self.status, self.dossier_code, self.loaded_at, self.loaded_by = TrayStatus.EMPTY, None, None, None

    @event(TakenOutOfService)
    def _taken_out_of_service(self, reason: str, actor: Actor, at: datetime) -> None:
        self.status_before_fault, self.status = self.status, TrayStatus.OUT_OF_SERVICE

    @event(ReturnedToService)
    def _returned_to_service(self, actor: Actor, at: datetime) -> None:
        self.status, self.status_before_fault = self.status_before_fault or TrayStatus.EMPTY, None
