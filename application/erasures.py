"""Erasures: carry out a lawful erasure request by destroying the person's data keys (crypto-shredding)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import msgspec

from application.base import OneStop
from application.errors import NotFoundError
from application.ports import Clock, SealingMapper
from application.privacy import PersonalDataKeys
from domain.cccd import ID_NUMBER
from domain.erasure import Erasure
from domain.errors import InvalidValueError
from domain.values import Actor, check_phone, mask_phone

PERSON = ("personal data of ID number", "dữ liệu cá nhân của số định danh")
PHONE_HOLDER = ("personal data of the holder of phone", "dữ liệu cá nhân của người dùng số điện thoại")


class Erasures:
    """Finds what a person's keys sealed, records the erasure, then destroys the keys.

    The keys destroyed: the person's (their ID number), those of the phones and e-mail addresses they gave
    (notifications, OTP challenges) and those of the streams their other values were sealed in (vault documents,
    the receiver's name on a delivered result). A phone another person also gave is erased with this one."""

    def __init__(self, app: OneStop, *, keys: PersonalDataKeys, phone_key: Callable[[str], str], clock: Clock) -> None:
        self.app, self.keys, self.phone_key, self.clock = app, keys, phone_key, clock

    def erase(self, id_number: str, *, reason: str, actor: Actor) -> Erasure:
        """Erase everything stored about the holder of this ID number; NotFoundError when nothing is."""
        if not isinstance(id_number, str) or not ID_NUMBER.fullmatch(id_number):
            raise InvalidValueError(
                "id_number", "must be the 12-digit personal ID number", "số định danh phải gồm 12 chữ số"
            )
        return self._erase(f"id:{id_number}", PERSON, id_number[:3] + "*********", reason=reason, actor=actor)

    def erase_by_phone(self, phone: str, *, reason: str, actor: Actor) -> Erasure:
        """Erase a person known by their phone only: a holder of just a CMND (an ID-card return) has no ID number,
        so their applicant was sealed under the phone's key. NotFoundError when that phone sealed nothing."""
        return self._erase(f"phone:{check_phone(phone)}", PHONE_HOLDER, mask_phone(phone), reason=reason, actor=actor)

    def _erase(self, person: str, what: tuple[str, str], masked: str, *, reason: str, actor: Actor) -> Erasure:
        key = self.keys.key_of(person)
        if key is None:
            raise NotFoundError(*what, masked)
        streams, contacts = self._sealed_under({key}, open_them=True)
        subjects = {person, *(f"stream:{stream}" for stream in streams)}
        for kind, contact in contacts:
            subjects.add(f"{kind}:{contact}")
            if kind == "phone":
                subjects.add(f"otp:{self.phone_key(contact)}")
        others = {found for subject in subjects if (found := self.keys.key_of(subject)) is not None} - {key}
        if others:
            streams |= self._sealed_under(others, open_them=False)[0]
        record = Erasure.record(
            subject=self.keys.subject_hash(person),
            streams=list(streams),
            keys_destroyed=len(others) + 1,
            reason=reason,
            actor=actor,
            at=self.clock.now(),
        )
        self.app.save(record)  # recorded first: should destroying fail, running the request again finishes it
        self.keys.destroy(subjects)
        return record

    def _sealed_under(self, key_ids: set[str], *, open_them: bool) -> tuple[set[UUID], set[tuple[str, str]]]:
        """The streams holding values sealed under these keys and, if asked, the phones and e-mails in them."""
        streams: set[UUID] = set()
        contacts: set[tuple[str, str]] = set()
        for stream, state in self.keys.sealed_with(key_ids):
            streams.add(stream)
            for key_id, sealed in _sealing(self.app.mapper).sealed_values(state) if open_them else ():
                plaintext = self.keys.open(key_id, sealed) if key_id in key_ids else None
                value = msgspec.json.decode(plaintext) if plaintext else None
                if isinstance(value, dict):
                    contacts |= {(kind, value[kind]) for kind in ("phone", "email") if isinstance(value.get(kind), str)}
        return streams, contacts


def _sealing(mapper: object) -> SealingMapper:
    if not isinstance(mapper, SealingMapper):
        raise TypeError(f"the event store's mapper {type(mapper).__name__} does not seal personal data")
    return mapper
