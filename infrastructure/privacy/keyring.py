"""The key ring (implements application.privacy.PersonalDataKeys): data keys cached in memory per process.

A process reads every wrapped key once, on the first key id it does not know (a rebuild then opens a year of
events without a read per event), and single keys after that. Erasures made by other processes reach it
through `watch`: it polls the destroyed key ids, forgets those keys and tells its listeners (the applications
drop their cached aggregates, which hold decrypted copies).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
from collections.abc import Callable, Collection, Iterable
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infrastructure.eventstore.keyed import NewKey
from infrastructure.privacy.master import MasterKey, master_key
from infrastructure.privacy.store import KeyStore
from infrastructure.settings import Settings

log = logging.getLogger("motcua.privacy")
SUBJECT_KEY = "subject-hash"
PRELOAD = 1000  # key ids per query of `KeyRing.preload`


class SealedValueError(RuntimeError):
    """A sealed value cannot be opened: its key id is unknown to the key store, or the value was altered."""


class KeyRing:
    """Seals and opens personal data with per-subject AES-256-GCM keys wrapped by the master key."""

    def __init__(self, store: KeyStore, master: MasterKey) -> None:
        self.store, self.master = store, master
        wrapped = store.meta_value(SUBJECT_KEY, master.wrap(SUBJECT_KEY.encode(), secrets.token_bytes(32)))
        self._subject_key = master.unwrap(SUBJECT_KEY.encode(), wrapped)  # a wrong master key stops the start here
        self._by_subject: dict[str, tuple[str, AESGCM]] = {}
        self._by_key: dict[str, AESGCM | None] = {}
        self._wrapped: dict[str, bytes | None] | None = None
        self._pending: dict[str, bytes] = {}  # key id -> wrapped, of keys made in memory and not known stored
        self._lock = threading.Lock()
        self._erased = store.erased_ids()
        self.listeners: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """The key ring of the configured event store, with MOTCUA_DATA_KEY (or the embedded key file)."""
        master = master_key(settings)  # a missing or malformed key stops us before anything is created
        return cls(KeyStore.from_env(settings.event_store_env()), master)

    def subject_hash(self, subject: str) -> str:
        return hmac.new(self._subject_key, subject.encode(), hashlib.sha256).hexdigest()

    def seal(self, subject: str, plaintext: bytes) -> tuple[str, bytes]:
        """Seal under the subject's key, stored before this returns (a sealed file may be kept at once)."""
        digest = self.subject_hash(subject)
        key_id, aes = self._by_subject.get(digest) or self._create(digest)
        wrapped = self._pending.get(key_id)
        if wrapped is not None:  # made for events not yet committed: store it now
            key_id, aes = self._store_pending(digest, key_id, wrapped, aes)
        return key_id, _sealed(aes, plaintext)

    def seal_deferred(self, subject: str, plaintext: bytes) -> tuple[str, bytes, NewKey | None]:
        """Seal under the subject's key, made in memory if the process knows none: (key id, sealed, the key when it
        may not be stored yet). The caller stores that key with what it seals, in one transaction
        (infrastructure/eventstore/keyed.py); `stored` or `lost` tells how that went."""
        digest = self.subject_hash(subject)
        key_id, aes = self._by_subject.get(digest) or self._make(digest)
        wrapped = self._pending.get(key_id)
        return key_id, _sealed(aes, plaintext), NewKey(digest, key_id, wrapped) if wrapped else None

    def stored(self, key_ids: Iterable[str]) -> None:
        with self._lock:
            for key_id in key_ids:
                self._pending.pop(key_id, None)

    def lost(self, subjects: Iterable[str]) -> None:
        """Another writer stored a key for these subject hashes first: forget ours, take the store's."""
        for digest in subjects:
            self._drop_pending(digest)
            if digest not in self._by_subject:
                self._create(digest)  # the store's key (a new stored one should it have been erased meanwhile)

    def prepare(self, subject: str) -> None:
        digest = self.subject_hash(subject)
        if digest not in self._by_subject:
            self._create(digest)

    def open(self, key_id: str, sealed: bytes) -> bytes | None:
        try:
            aes = self._by_key[key_id]
        except KeyError:
            aes = self._load(key_id)
        if aes is None:
            return None
        try:
            return aes.decrypt(sealed[:12], sealed[12:], None)
        except InvalidTag:
            raise SealedValueError(f"a value sealed under key {key_id} was altered") from None

    def preload(self, key_ids: Collection[str]) -> None:
        """Fetch the wrapped keys of these ids that the ring does not hold, in one query per PRELOAD ids (a batch of
        events read by the read models names a new person's key per new dossier: one query per event otherwise).
        They are kept wrapped, as `_load` keeps them, until `open` needs them."""
        with self._lock:
            self._fetch_wrapped(key_ids)

    def _fetch_wrapped(self, key_ids: Collection[str]) -> dict[str, bytes | None]:
        """Under the lock: every wrapped key on the first call, else those of `key_ids` the ring holds in neither
        form, PRELOAD ids per query; the wrapped keys held."""
        if self._wrapped is None:
            self._wrapped = dict(self.store.rows())
            return self._wrapped
        missing = sorted({key_id for key_id in key_ids if key_id not in self._by_key} - self._wrapped.keys())
        for start in range(0, len(missing), PRELOAD):
            self._wrapped.update(self.store.rows(missing[start : start + PRELOAD]))
        return self._wrapped

    def key_of(self, subject: str) -> str | None:
        found = self.store.live(self.subject_hash(subject))
        return found[0] if found else None

    def sealed_with(self, key_ids: Collection[str]) -> list[tuple[UUID, bytes]]:
        return self.store.sealed_with(key_ids)

    def destroy(self, subjects: Collection[str]) -> int:
        digests = {self.subject_hash(subject) for subject in subjects}
        destroyed = self.store.destroy(digests)
        for digest in digests:  # keys made here but not stored yet: later events get new ones
            self._drop_pending(digest)
        self._forget(set(destroyed))
        return len(destroyed)

    # ----- cache --------------------------------------------------------------------------
    def _create(self, digest: str) -> tuple[str, AESGCM]:
        # Not under the lock: callers creating keys for different people wait on their commits side by side. Two
        # threads creating one person's key agree through the store, which keeps the first and returns it to both.
        key_id, _, wrapped = self._new_key()
        return self._keep(digest, *self.store.create(digest, key_id, wrapped))

    def _new_key(self) -> tuple[str, bytes, bytes]:
        """A fresh data key: (key id, key, the key wrapped by the master key as the store keeps it)."""
        key_id, key = secrets.token_hex(16), secrets.token_bytes(32)
        return key_id, key, self.master.wrap(key_id.encode(), key)

    def _store_pending(self, digest: str, key_id: str, wrapped: bytes, aes: AESGCM) -> tuple[str, AESGCM]:
        stored_id, stored_wrapped = self.store.create(digest, key_id, wrapped)
        if stored_id == key_id:
            self.stored([key_id])
            return key_id, aes
        self._drop_pending(digest)  # another writer's key won: ours was never stored
        return self._keep(digest, stored_id, stored_wrapped)

    def _keep(self, digest: str, key_id: str, wrapped: bytes) -> tuple[str, AESGCM]:
        """Cache the subject's key as the store returned it."""
        entry = (key_id, AESGCM(self.master.unwrap(key_id.encode(), wrapped)))
        with self._lock:
            erased = key_id in self._erased  # destroyed by an erasure since the store returned it
            if not erased:
                self._by_subject[digest] = entry
                self._by_key[key_id] = entry[1]
        return self._create(digest) if erased else entry

    def _drop_pending(self, digest: str) -> None:
        """Forget the subject's key if it was made here and not stored."""
        with self._lock:
            entry = self._by_subject.get(digest)
            if entry is not None and self._pending.pop(entry[0], None) is not None:
                del self._by_subject[digest]
                self._by_key.pop(entry[0], None)

    def _make(self, digest: str) -> tuple[str, AESGCM]:
        """A new key for the subject in memory only (pending until `stored`), unless another thread just made one."""
        key_id, key, wrapped = self._new_key()
        entry = (key_id, AESGCM(key))
        with self._lock:
            found = self._by_subject.get(digest)
            if found is not None:
                return found
            self._by_subject[digest] = entry
            self._by_key[key_id] = entry[1]
            self._pending[key_id] = wrapped
        return entry

    def _load(self, key_id: str) -> AESGCM | None:
        with self._lock:
            held = self._fetch_wrapped((key_id,))
            if key_id in self._by_key:
                return self._by_key[key_id]
            if key_id not in held:
                raise SealedValueError(
                    f"personal data is sealed under key {key_id}, which the key store does not know: "
                    "are the events and onestop_person_keys from the same database?"
                )
            wrapped = held.pop(key_id)
            aes = None if wrapped is None else AESGCM(self.master.unwrap(key_id.encode(), wrapped))
            self._by_key[key_id] = aes
            return aes

    def _forget(self, key_ids: set[str]) -> None:
        if not key_ids:
            return
        with self._lock:
            self._erased |= key_ids
            for key_id in key_ids:
                self._by_key[key_id] = None
                self._pending.pop(key_id, None)
                if self._wrapped is not None:
                    self._wrapped.pop(key_id, None)
            for digest, (key_id, _) in list(self._by_subject.items()):
                if key_id in key_ids:
                    del self._by_subject[digest]
        for listener in self.listeners:
            try:
                listener()
            except Exception:  # one failing listener must not keep the others from dropping their copies
                log.exception("erasure listener failed")

    # ----- other processes' erasures --------------------------------------------------------
    def refresh(self) -> None:
        """Forget the keys other processes destroyed since we last looked (and tell the listeners)."""
        self._forget(self.store.erased_ids() - self._erased)

    def watch(self, interval: float = 2.0) -> None:
        """`refresh` every `interval` seconds, in a daemon thread."""

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.refresh()
                except Exception:  # the database may be restarting: try again next round
                    log.warning("could not check for erased keys; retrying", exc_info=True)

        self._watcher = threading.Thread(target=run, name="privacy-watch", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        """Stop watching and release the key store's connections."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
        self.store.close()


def _sealed(aes: AESGCM, plaintext: bytes) -> bytes:
    """The plaintext under AES-GCM with a fresh 12-byte nonce, which leads the result (`KeyRing.open` splits it off)."""
    nonce = os.urandom(12)
    return nonce + aes.encrypt(nonce, plaintext, None)
