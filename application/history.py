"""Auditors' history and time travel (issue [8]): every event of a dossier, kiosk, tray or vault with who acted, in
which role and when, summarised in Vietnamese; and each of them as it stood at a past instant.

"As of" means business time: an event's `at` (when it happened at the counter or the kiosk), not the library's
`timestamp` (when it was recorded, which lags for kiosk events sent after an outage). An aggregate as of T is
replayed from its events up to the first one whose `at` is after T: always a prefix of its stream, so a clock that
stepped back between two events can never produce a state that did not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import msgspec

from application.base import OneStopApplication
from application.errors import NotFoundError
from application.kiosk_views import KioskView, TrayView, local
from application.ports import Clock
from application.views import details_of
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier as D
from domain.errors import InvalidValueError
from domain.kiosk import Kiosk as K, check_kiosk_key, kiosk_id
from domain.money import format_dong as dong
from domain.tray import Tray as T, tray_id
from domain.vault import Vault as V, VaultOwner, vault_id

KINDS = {"dossier": "hồ sơ", "kiosk": "kiosk", "tray": "khay", "vault": "kho dữ liệu"}
RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:([Zz])|([+ -])(\d{2}):(\d{2}))")
TRAY_KEY = re.compile(r"(?P<kiosk>[A-Z0-9][A-Z0-9-]{1,30}):(?P<number>\d{1,3})", re.ASCII)
Positions = Callable[[UUID], Mapping[int, int]]


class NotYetError(NotFoundError):
    """The aggregate exists now but did not exist yet at the instant asked for."""

    code = "not_yet_existing"

    def __init__(self, kind: str, key: str, instant: datetime) -> None:
        super(NotFoundError, self).__init__(f"{kind} {key!r} did not exist yet at {instant.isoformat()}",
                                            f"{KINDS[kind].capitalize()} {key} chưa tồn tại vào lúc {local(instant)}.")


class AuditEntry(msgspec.Struct, frozen=True):
    """One event as an auditor reads it: log position, version, what (Vietnamese), who, in which role, when."""

    position: int | None
    version: int
    type: str
    label: str
    summary: str
    account_id: str
    role: str
    role_label: str
    at: datetime
    recorded_at: datetime


class AuditHistory(msgspec.Struct, frozen=True):
    """The whole history of one dossier, kiosk, tray or vault, oldest first."""

    kind: str
    key: str
    entries: list[AuditEntry]


class StateAsOf(msgspec.Struct, frozen=True):
    """An aggregate as it stood at `at`: its version then, how many later events exist, and its state then."""

    kind: str
    key: str
    at: datetime
    version: int
    later_events: int
    state: dict[str, Any]


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant (seconds optional; a space before the offset is read as '+', as a URL query decodes it)."""
    match = RFC3339.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise InvalidValueError("at", "must be an RFC 3339 time with an offset, e.g. 2026-05-20T16:05:00+07:00",
                                "thời điểm phải theo RFC 3339, có múi giờ, ví dụ 2026-05-20T16:05:00+07:00")
    year, month, day, hour, minute, second = (int(match[i] or 0) for i in range(1, 7))
    try:
        if match[10] and (int(match[10]) > 23 or int(match[11]) > 59):
            raise ValueError("offset out of range")
        offset = timedelta() if match[8] else (-1 if match[9] == "-" else 1) * timedelta(
            hours=int(match[10]), minutes=int(match[11]))
        moment = datetime(year, month, day, hour, minute, second, int((match[7] or "").ljust(6, "0")), timezone(offset))
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidValueError("at", "is not a real date and time", "ngày giờ không có thật") from None


class History:
    """Reads the shared event store (any OneStopApplication's) for auditors; writes nothing."""

    def __init__(self, store: OneStopApplication, *, clock: Clock, positions: Positions) -> None:
        self.store, self.clock, self.positions = store, clock, positions

    def instant(self, text: str) -> datetime:
        """The instant of a query parameter: RFC 3339 and not in the future."""
        moment = parse_instant(text)
        if moment > self.clock.now():
            raise InvalidValueError("at", "is in the future", f"thời điểm {local(moment)} còn ở tương lai")
        return moment

    def history(self, kind: str, key: str) -> AuditHistory:
        """Every event of the aggregate, oldest first, with its log position."""
        aggregate_id = self._existing(kind, key)
        positions = self.positions(aggregate_id)
        return AuditHistory(kind=kind, key=key, entries=[
            entry(event, positions.get(event.originator_version)) for event in self.store.events.get(aggregate_id)])

    def state_as_of(self, kind: str, key: str, instant: datetime) -> StateAsOf:
        """The aggregate replayed from its events up to `instant`, rendered like the live views."""
        aggregate_id = self._existing(kind, key)
        aggregate, later = self._replay(aggregate_id, instant)
        if aggregate is None:
            raise NotYetError(kind, key, instant)
        return StateAsOf(kind=kind, key=key, at=instant, version=aggregate.version, later_events=later,
                         state=msgspec.to_builtins(self._render(kind, aggregate, instant)))

    def agency_of(self, kind: str, key: str) -> str | None:
        """The agency a kiosk or tray belongs to (vaults belong to none; dossiers have `Dossiers.scope_of`)."""
        if kind in ("kiosk", "tray"):
            kiosk = key if kind == "kiosk" else parse_tray_key(key)[0]
            installed = next(iter(self.store.events.get(kiosk_id(check_kiosk_key(kiosk)), limit=1)), None)
            if installed is None:
                raise NotFoundError("kiosk", "kiosk", kiosk)
            return installed.agency
        target(kind, key)
        return None

    def _existing(self, kind: str, key: str) -> UUID:
        aggregate_id = target(kind, key)
        if not self.store.recorder.select_events(aggregate_id, limit=1):
            raise NotFoundError(kind, KINDS[kind], key)
        return aggregate_id

    def _replay(self, aggregate_id: UUID, instant: datetime) -> tuple[Any, int]:
        """(the aggregate as of `instant` or None, how many of its events came after)."""
        aggregate, events = None, list(self.store.events.get(aggregate_id))
        for done, event in enumerate(events):
            if happened_at(event) > instant:
                return aggregate, len(events) - done
            aggregate = event.mutate(aggregate)
        return aggregate, 0

    def _render(self, kind: str, aggregate: Any, instant: datetime) -> Any:
        """The state as the live views show it (a kiosk with its trays as of the same instant)."""
        if kind == "dossier":
            return details_of(aggregate)
        if kind == "tray":
            return tray_view(aggregate)
        if kind == "vault":
            return {"owner_kind": aggregate.owner.kind, "documents": list(aggregate.documents.values())}
        kiosk = aggregate
        trays = (self._replay(tray_id(kiosk.key, n), instant)[0] for n in range(1, kiosk.tray_count + 1))
        return KioskView(key=kiosk.key, name=kiosk.name, agency=kiosk.agency, bin=[e.dossier_code for e in kiosk.bin],
                         cash_expected=kiosk.cash_expected, unused_envelopes=len(kiosk.unused_envelopes),
                         trays=[tray_view(t) for t in trays if t is not None])


def tray_view(tray: Any) -> TrayView:
    """A tray as the kiosk view shows it."""
    return TrayView(number=tray.number, status=tray.status.value, dossier_code=tray.dossier_code, loaded_at=tray.loaded_at)


def target(kind: str, key: str) -> UUID:
    """The aggregate id of a dossier code, kiosk key, tray `<kiosk>:<number>` or vault `<citizen|organisation>:<id>`."""
    if kind == "dossier":
        parse_code(key)
        return dossier_id(key)
    if kind == "kiosk":
        return kiosk_id(check_kiosk_key(key))
    if kind == "tray":
        return tray_id(*parse_tray_key(key))
    if kind == "vault":
        owner_kind, _, number = key.partition(":")
        return vault_id(VaultOwner(kind=owner_kind, id_number=number))
    raise InvalidValueError("kind", "must be dossier, kiosk, tray or vault",
                            "loại đối tượng phải là dossier (hồ sơ), kiosk, tray (khay) hoặc vault (kho dữ liệu)")


def parse_tray_key(key: str) -> tuple[str, int]:
    """`Q6-01:5` → ("Q6-01", 5)."""
    match = TRAY_KEY.fullmatch(key)
    if not match or not 1 <= int(match["number"]) <= 500:
        raise InvalidValueError("key", "a tray is named <kiosk>:<number>, e.g. Q6-01:5",
                                "khay được ghi dạng <mã kiosk>:<số khay>, ví dụ Q6-01:5")
    return match["kiosk"], int(match["number"])


def happened_at(event: Any) -> datetime:
    """Business time of an event; the few events without `at` (account and counter set-up) use their recording time."""
    return getattr(event, "at", None) or event.timestamp


def entry(event: Any, position: int | None) -> AuditEntry:
    """One history entry; `describe` keeps citizens' names, phones and ID numbers out of the summary."""
    label, summary = describe(event)
    actor = getattr(event, "actor", None)
    role = actor.role.value if actor else "system"
    return AuditEntry(position=position, version=event.originator_version, type=type(event).__qualname__, label=label,
                      summary=summary, account_id=actor.account_id if actor else "system", role=role,
                      role_label=ROLE_VI.get(role, role), at=happened_at(event), recorded_at=event.timestamp)


# ----- Vietnamese labels and summaries: never a citizen's name, phone or ID number ---------------------------------
ROLE_VI = {"reception_officer": "Cán bộ tiếp nhận", "department_officer": "Cán bộ phòng chuyên môn", "consultant": "Tổ tư vấn",
           "police_officer": "Cán bộ công an", "signer": "Lãnh đạo ký duyệt", "auditor": "Kiểm tra", "analyst": "Phân tích",
           "administrator": "Quản trị", "citizen": "Công dân", "kiosk": "Kiosk", "system": "Hệ thống"}
CHANNEL_VI = {"kiosk": "kiosk 24/7", "counter": "quầy một cửa", "online": "cổng dịch vụ công", "postal": "bưu chính"}
PICKUP_VI = {"cccd_and_receipt": "số CCCD và biên nhận", "code_and_otp": "mã hồ sơ và OTP"}
ORIGIN_VI = {"scan": "bản số hóa", "result": "kết quả giải quyết", "electronic": "giấy tờ điện tử"}


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else "chưa xác định"


def _party(who: Any) -> str:
    return f"{who.name} ({who.unit})"


def _rating(rating: Any) -> str:
    return f"{rating.stars} sao" if rating.stars else f"mức {rating.level.value}"


LABELS: dict[type, tuple[str, Callable[[Any], str]]] = {
    D.Registered: ("Đăng ký trực tuyến", lambda e: f"Hồ sơ {e.code}, thủ tục {e.procedure_code}"),
    D.Received: ("Tiếp nhận hồ sơ giấy", lambda e: f"Hồ sơ {e.code} qua {CHANNEL_VI[e.channel]}, thủ tục {e.procedure_code}, "
                 f"hẹn trả {_day(e.due_on)}" + (", có đối chiếu khuôn mặt" if e.face else "")),
    D.Accepted: ("Tiếp nhận xử lý", lambda e: f"Hẹn trả {_day(e.due_on)}"),
    D.Rejected: ("Từ chối", lambda e: f"Lý do: {e.reason}"),
    D.SupplementRequested: ("Yêu cầu bổ sung", lambda e: f"Cần bổ sung: {'; '.join(e.items)}. Lý do: {e.reason}"),
    D.SupplementProvided: ("Bổ sung hồ sơ", lambda e: f"{len(e.components)} thành phần, hẹn trả mới {_day(e.due_on)}"),
    D.WithdrawalRequested: ("Xin rút hồ sơ", lambda e: f"Lý do: {e.reason}"),
    D.Withdrawn: ("Rút hồ sơ", lambda e: "Đã rút hồ sơ theo yêu cầu"),
    D.FeeAssessed: ("Xác định lệ phí", lambda e: f"Lệ phí {dong(e.amount)}"),
    D.PaymentReceived: ("Thanh toán", lambda e: f"{dong(e.amount)} bằng "
                        f"{'tiền mặt' if e.method == 'cash' else 'chuyển khoản QR'}; còn thiếu {dong(e.shortfall)}, "
                        f"nộp thừa {dong(e.excess)}"),
    D.Routed: ("Chuyển xử lý", lambda e: f"Chuyển đến phòng {e.department}"),
    D.HandedOver: ("Giao nhận hồ sơ giấy", lambda e: f"{e.item}: {_party(e.giver)} → {_party(e.receiver)}"),
    D.ResultIssued: ("Có kết quả", lambda e: e.summary + (f" (số {e.document_number})" if e.document_number else "")),
    D.LoadedIntoTray: ("Nạp kết quả vào khay", lambda e: f"Khay {e.tray} kiosk {e.kiosk}"),
    D.NotificationRequested: ("Yêu cầu gửi thông báo", lambda e: f"Qua {e.channel}, mẫu {e.template}"),
    D.PulledBackFromTray: ("Thu hồi kết quả từ khay", lambda e: f"Khay {e.tray} kiosk {e.kiosk}"),
    D.ResultDelivered: ("Trả kết quả", lambda e: f"Trả qua {CHANNEL_VI[e.channel]}"),
    D.Rated: ("Đánh giá mức độ hài lòng", lambda e: _rating(e.rating)),
    K.Installed: ("Lắp đặt kiosk", lambda e: f"{e.name}, {e.tray_count} khay, cơ quan {e.agency}"),
    K.EnvelopesRegistered: ("Nạp phong bì", lambda e: f"{len(e.barcodes)} mã vạch phong bì mới"),
    K.EnvelopeAccepted: ("Nhận phong bì vào thùng", lambda e: f"Phong bì {e.envelope.barcode}, hồ sơ {e.envelope.dossier_code}"),
    K.CashAccepted: ("Nhận tiền mặt", lambda e: f"{dong(e.amount)} cho hồ sơ {e.dossier_code}"),
    K.Collected: ("Thu hồ sơ và tiền", lambda e: f"{len(e.envelopes)} phong bì; tiền theo hệ thống {dong(e.cash_expected)}, "
                  f"đếm được {dong(e.cash_counted)}; người thu {_party(e.collector)}"),
    T.Installed: ("Lắp khay", lambda e: f"Khay {e.number} kiosk {e.kiosk_id}"),
    T.Loaded: ("Nạp kết quả", lambda e: f"Hồ sơ {e.dossier_code}"),
    T.Released: ("Mở khay trả kết quả", lambda e: f"Hồ sơ {e.dossier_code}, xác thực bằng {PICKUP_VI[e.method]}"
                 + (", có đối chiếu khuôn mặt" if e.face_checked else "")),
    T.PulledBack: ("Thu hồi kết quả quá hạn", lambda e: f"Hồ sơ {e.dossier_code} giao {_party(e.receiver)}"),
    T.TakenOutOfService: ("Ngừng sử dụng khay", lambda e: f"Lý do: {e.reason}"),
    T.ReturnedToService: ("Khay hoạt động lại", lambda e: "Đã sửa xong"),
    V.Opened: ("Mở kho dữ liệu", lambda e: "Kho của " + ("công dân" if e.owner.kind == "citizen" else "tổ chức")),
    V.DocumentStored: ("Lưu giấy tờ", lambda e: f"Loại {e.metadata.type_code}, {ORIGIN_VI[e.origin]}, {e.pages} trang"
                       + (f", hồ sơ {e.dossier_code}" if e.dossier_code else "")),
    V.DocumentSuperseded: ("Thay thế giấy tờ", lambda e: f"Giấy tờ {e.document_id} được thay bằng {e.by}"),
    V.DocumentExpired: ("Giấy tờ hết hiệu lực", lambda e: f"Giấy tờ {e.document_id}: {e.reason}"),
    V.ReuseChecked: ("Dùng lại giấy tờ", lambda e: f"Giấy tờ {e.document_id} cho hồ sơ {e.dossier_code}"),
}


def describe(event: Any) -> tuple[str, str]:
    """(Vietnamese label, short summary) of an event."""
    label, summary = LABELS.get(type(event), (type(event).__qualname__, lambda _: ""))
    return label, summary(event)
