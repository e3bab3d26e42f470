"""Ports: the Protocols the application needs from the outside world."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time (timezone-aware)."""

    def now(self) -> datetime: ...


class Calendar(Protocol):
    """Working days for appointment dates (weekends and holidays skipped)."""

    def add_working_days(self, received: datetime, days: int) -> date: ...

    def working_days_between(self, start: date, end: date) -> int: ...


class Otp(Protocol):
    """One-time passwords sent to a phone, with resend limits per phone and per kiosk."""

    def send(
        self, phone: str, purpose: str, at: datetime, *, kiosk: str | None = None, quota: str = "phone"
    ) -> None: ...

    def check(self, phone: str, purpose: str, code: str, at: datetime, *, quota: str = "phone") -> bool: ...


# ----- [6] vault, digitization and signatures: one block, appended -------------------------
from typing import TYPE_CHECKING  # noqa: E402  (kept inside the block so it stays append-only)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from application.vault_values import PdfCheck, Placement, SignedPdf, SigningKey
    from application.views import DossierDetails
    from domain.values import Actor


class BlobStore(Protocol):
    """Content-addressed file storage: bytes kept under their SHA-256 (hex); reads check the hash.

    `put` seals the bytes under the data key of `subject` (application.privacy.subject_of of the person the file
    names): once an erasure destroys that key, `get` raises DocumentErasedError."""

    def put(self, data: bytes, subject: str) -> str: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...


class DocumentSigner(Protocol):
    """Signs PDFs incrementally with a person's or the agency's certificate, and verifies signed PDFs."""

    def sign(
        self,
        pdf: bytes,
        *,
        who: Actor,
        key: SigningKey,
        reason: str,
        placement: Placement,
        at: datetime,
        metadata: Mapping[str, str],
    ) -> SignedPdf: ...

    def verify(self, pdf: bytes) -> PdfCheck: ...


class PdfTools(Protocol):
    """PDF work besides signing: page counts, scans to PDF, the receipt form (phiếu tiếp nhận)."""

    def page_count(self, pdf: bytes) -> int: ...

    def images_to_pdf(self, images: Sequence[bytes]) -> bytes: ...

    def render_receipt(
        self, dossier: DossierDetails, *, procedure_name: str, officer_name: str, verification_path: str
    ) -> bytes: ...


# ----- [7] notifications: one block, appended ------------------------------------------------
class Notifier(Protocol):
    """Sends one templated message (Vietnamese, versioned templates) to one address through one channel
    (sms, zalo, email); returns the provider's message id or raises domain.notification.DeliveryError. `sender` is the
    SMS brandname of the agency the message speaks for (None: the gateway's configured default)."""

    def send(
        self,
        channel: str,
        address: str,
        template: str,
        version: int,
        params: Mapping[str, str],
        *,
        sender: str | None = None,
    ) -> str: ...


class PasswordHasher(Protocol):
    """Hashes passwords for storage and checks a password against a stored hash (argon2 in infrastructure)."""

    def hash(self, password: str) -> str: ...

    def verify(self, stored_hash: str, password: str) -> bool: ...


class Attempts(Protocol):
    """Failure counters with lockout, shared by every API replica (logins, pickup identity checks, access-log codes)."""

    def locked_until(self, key: str, at: datetime) -> datetime | None:
        """When the key's lockout ends, or None if it is not locked."""
        ...

    def fail(
        self, key: str, at: datetime, *, allowed: int, window: timedelta, lockout: timedelta, ceiling: timedelta
    ) -> datetime | None:
        """Count one failure; past `allowed` in `window` the key locks for `lockout`, doubling per further failure
        up to `ceiling`. Returns when the lockout ends, or None."""
        ...

    def clear(self, key: str) -> None: ...


class Revocations(Protocol):
    """Tokens ended before their expiry: one by its id (logout), or all of an account issued before a moment."""

    def revoke_token(self, token_id: str, expires_at: datetime) -> None: ...

    def revoke_account(self, account_id: str, at: datetime) -> None: ...

    def is_revoked(self, token_id: str, account_id: str, issued_at: datetime, at: datetime) -> bool: ...

    def known_unrevoked(self, token_id: str, account_id: str, at: datetime) -> bool:
        """Whether `is_revoked` would answer False at `at` without asking the store (its recent verdict)."""
        ...


class KioskDoors(Protocol):
    """Opens kiosks' tray doors from the core (commands to the kiosk, each answered within a timeout)."""

    def open_trays(self, kiosk: str, trays: Sequence[int]) -> dict[int, str]:
        """Per tray "opened", "not_answering" (kiosk off or unreachable) or "fault: <detail>"; empty when this
        process has no command line to kiosks."""
        ...


# ----- [14] kiosk flows: the face embedder of the counter, the national portal of the online corner --------------
class FaceEmbedder(Protocol):
    """Turns one photo of one face into an embedding (the insightface adapter); the photo is never kept."""

    def embed(self, image: bytes) -> tuple[list[float], str]:
        """(unit-length embedding, model id); FaceImageError when the image holds no single readable face."""
        ...


class PortalSubmission(Protocol):
    """What the kiosk's online corner sends to the portal (fields are read by attribute)."""

    @property
    def procedure_code(self) -> str: ...
    @property
    def applicant(self) -> Any: ...
    @property
    def pages(self) -> int: ...
    @property
    def form(self) -> Mapping[str, str]: ...


class Portal(Protocol):
    """The national public-service portal (Cổng Dịch vụ công quốc gia) as seen from the kiosk's online corner."""

    def submit(self, submission: PortalSubmission, at: datetime) -> str:
        """The portal's dossier code of the new dossier; PortalUnavailableError when the portal cannot be reached."""
        ...


# ----- event storage (item 3 of [11]): appended -------------------------------------------------------
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from typing import Any


class EventStorage(Protocol):
    """The shared event log's persistence (infrastructure/eventstore/): the application's construct_* hooks ask it
    for the infrastructure factory, mapper and group commit, so the application never names a database."""

    def factory(self, env: Any) -> Any:
        """An eventsourcing InfrastructureFactory for this environment (the process's application closes it)."""

    def mapper(self, env: Any) -> Any:
        """The eventsourcing Mapper of stored events."""

    def event_store(self, mapper: Any, recorder: Any) -> Any:
        """The eventsourcing EventStore of the application's events over this mapper and recorder."""

    def schema_lock(self, factory: Any) -> AbstractContextManager[None]:
        """Held while the factory creates tables (recorders, snapshot store)."""

    def group_commit(
        self, save_events: Callable[..., list[Any]], saved: Callable[[Any], None], mapper: Any
    ) -> GroupCommitter:
        """A committer that shares one transaction between concurrent saves (`mapper`: the one `mapper` made, which
        may prepare each caller's events in the caller's own thread)."""


class GroupCommitter(Protocol):
    """Stores aggregates' pending events atomically, batched with concurrent commits."""

    def commit(self, *aggregates: Any) -> list[Any]: ...


# ----- read side (item 2 of [11]): appended ----------------------------------------------------------
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from application.history import ViewAsOf
from typing import runtime_checkable  # noqa: E402  (kept inside the block so it stays append-only)


@runtime_checkable  # Litestar checks a dependency's value against its annotation
class ReadSide(Protocol):
    """The read models as a use case sees them (infrastructure/readstore/read_side.py): where the log ends, how far
    each model is, waiting for one's own write, and a model as it stood at a past instant."""

    def head(self) -> int:
        """The last position of the event log (0 when empty)."""

    def model_names(self) -> Sequence[str]:
        """The read models this process keeps."""

    def position(self, name: str) -> int:
        """The last log position the named read model has processed."""

    def wait_for(self, position: int, name: str | None, timeout: float) -> bool:
        """Block until the read model (or every running one) has processed `position`; False on timeout."""

    def lag(self) -> Sequence[Any]:
        """Events and seconds each read model is behind the log."""

    def view_as_of(
        self, view: str, instant: datetime, *, kiosk: str | None, filters: Mapping[str, str | None]
    ) -> ViewAsOf:
        """A view of application.history.AS_OF_VIEWS answered from its read models replayed up to `instant`."""


# ----- [13] money: fee receipts; one block, appended ------------------------------------------
class FeeReceiptRenderer(Protocol):
    """Renders an electronic fee receipt (biên lai điện tử) to PDF; the application then seals it."""

    def render_fee_receipt(self, receipt: object) -> bytes: ...


# ----- sealing (mypy step of item 8 of [11]): appended ------------------------------------------------------
if TYPE_CHECKING:
    from collections.abc import Iterator


@runtime_checkable
class SealingMapper(Protocol):
    """A mapper that seals personal values in stored events (infrastructure/eventstore/mapper.py)."""

    def sealed_values(self, data: bytes) -> Iterator[tuple[str, bytes]]:
        """(key id, sealed value) of every personal value in one stored event's state."""
