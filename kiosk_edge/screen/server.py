"""Serves the citizen's page on 127.0.0.1 and its JSON API: `GET /api/state`, `POST /api/input`.

Only requests naming an allowed host are answered (a DNS-rebinding page names its own), and a POST from a page of
another origin is refused with 403: any web page the kiosk's browser opens could otherwise drive the session.
Every answer carries a Content-Security-Policy (own scripts only, never framed), nosniff and no-referrer.

The API only drives the session through KioskFlow: a touch the current screen does not take is a 409,
a malformed one a 400, and neither changes anything. Device readings (`scan_cccd`, `insert_cash`, ...)
are taken only when the kiosk runs on simulated devices. Requests are never logged: they carry
the citizen's phone, ID number and QR payload.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
from collections.abc import Callable, Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec

from domain.kiosk_wire import BadDeviceMessageError
from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.devices.ports import DeviceFaultError, RefusedNoteError
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import KioskFlow
from kiosk_edge.screen import inputs as i
from kiosk_edge.screen.view import view_of
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.session.screens import Screen

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
DEVICE_INPUTS = (
    i.CccdInput,
    i.ReceiptQrInput,
    i.EnvelopeInput,
    i.CashInput,
    i.BankQrInput,
    i.NextFaceInput,
    i.CloseTrayInput,
    i.ScanPageInput,
)
MAX_BODY = 4096
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def dispatch(flow: KioskFlow, simulated: SimulatedKiosk | None, message: i.Input) -> None:
    """Apply one input to the flow (device inputs only on a simulated kiosk)."""
    if isinstance(message, DEVICE_INPUTS) and simulated is None:
        raise PermissionError("device readings come from the devices themselves on a real kiosk")
    handlers: dict[type[i.Input], Callable[[Any], None]] = {
        i.BeginInput: lambda m: flow.begin(m.flow),
        i.ProcedureInput: lambda m: flow.choose_procedure(m.code),
        i.PhoneInput: lambda m: flow.enter_phone(m.phone, m.channel.lower()),
        i.OtpInput: lambda m: flow.enter_otp(m.otp),
        i.FaceInput: lambda m: flow.face_presented(),
        i.EndPaymentInput: lambda m: flow.end_payment(),
        i.PickupInput: lambda m: flow.choose_pickup(m.by_otp),
        i.PickupReceiptInput: lambda m: flow.pickup_by_receipt(m.id_number, m.code),
        i.PickupCodeInput: lambda m: flow.request_pickup_otp(m.code),
        i.PickupOtpInput: lambda m: flow.enter_pickup_otp(m.otp),
        i.RateInput: lambda m: flow.rate(m.stars, m.level),
        i.FinishInput: lambda m: flow.finish(),
        i.CancelInput: lambda m: flow.cancel(),
        i.RetryInput: lambda m: flow.retry(),
        i.ResendInput: lambda m: flow.resend_otp(),
        i.PrintFormInput: lambda m: flow.print_form(),
        i.TypeInsteadInput: lambda m: flow.type_instead(),
        i.KeepNoteInput: lambda m: flow.keep_note(),
        i.ReturnNoteInput: lambda m: flow.return_note(),
        i.CccdInput: lambda m: flow.card_scanned(m.payload),
        i.ReceiptQrInput: lambda m: flow.receipt_scanned(m.code),
        i.EnvelopeInput: lambda m: flow.envelope_inserted(m.barcode),
        i.CashInput: lambda m: flow.cash_inserted(m.denomination, m.count),
        i.BankQrInput: lambda m: (
            flow.paid_online(m.amount, m.reference)
            if flow.state.screen is Screen.ONLINE_PAYMENT
            else flow.qr_confirmed(m.amount, m.reference)
        ),
        i.NextFaceInput: lambda m: _next_face(simulated, m.matched),
        i.CloseTrayInput: lambda m: flow.tray_closed(),
        # [14] kflows2
        i.CardProcedureInput: lambda m: flow.choose_card(m.code),
        i.CardTypeInsteadInput: lambda m: flow.type_card_instead(),
        i.CardTypedInput: lambda m: flow.card_typed(m.id_number, m.name),
        i.ScanDoneInput: lambda m: flow.scan_done(),
        i.PortalFormInput: lambda m: flow.send_to_portal({"delivery": m.delivery}),
        i.PrintPortalCodeInput: lambda m: flow.print_portal_code(),
        i.ScanPageInput: lambda m: flow.page_scanned(),
        # issue [14]
        i.SupplementTypedInput: lambda m: flow.supplement_typed(m.id_number, m.code),
        i.SupplementOtpInput: lambda m: flow.supplement_otp(m.otp),
        i.NoticeReadInput: lambda m: flow.notice_read(),
        i.CmndInput: lambda m: flow.choose_cmnd(),
        i.CmndNumberInput: lambda m: flow.enter_cmnd(m.cmnd),
        i.CmndCodeInput: lambda m: flow.cmnd_code(m.code),
    }
    handlers[type(message)](message)


def demo_panel(flow: KioskFlow, simulated: Any) -> dict[str, Any]:
    """What the demo device panel plays: the demo citizen's card, the next unused demo envelope, the last receipt."""
    from kiosk_edge.scenarios import CITIZEN_QR  # fictitious demo data, needed only by the panel

    used = sum(flow.usage.counts.values()) + simulated.intake.returned
    return {
        "cccd": CITIZEN_QR,
        "envelope": f"Q6PB{used % 200 + 1:06d}",
        "receipt": flow.last_receipt or None,
        "tray": flow.state.tray,
        "pages": simulated.scanner.scanned,  # [14] the online corner's scanner
    }


def _next_face(simulated: Any, matched: bool) -> None:
    present = getattr(simulated.camera, "present", None)
    if present is None:
        raise PermissionError("the face comes from the real camera on this kiosk (MOTCUA_FACE_MODEL_DIR)")
    present(matched)


class ScreenServer:
    """The page and its API on host:port, served by a thread of the kiosk process."""

    def __init__(
        self,
        flow: KioskFlow,
        *,
        simulated: SimulatedKiosk | None = None,
        host: str = "127.0.0.1",
        port: int = 8100,
        backlog: Callable[[], int] = lambda: 0,
        allowed_hosts: Collection[str] = (),
        demo: bool = False,
    ) -> None:
        """`demo` (MOTCUA_DEMO=1, simulated devices only) shows the device panel on the page."""
        self.flow, self.simulated, self.backlog = flow, simulated, backlog
        self.demo = demo and simulated is not None
        self.allowed_hosts = (
            LOCAL_HOSTS | {host.lower()} | {name.strip().lower() for name in allowed_hosts if name.strip()}
        )
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kiosk-screen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def state(self) -> dict[str, Any]:
        """The page's state; `backlog` is for the staff's tools, never shown to citizens."""
        state = view_of(self.flow) | {"backlog": self.backlog(), "simulated": self.simulated is not None}
        return state | {"demo": demo_panel(self.flow, self.simulated) if self.demo else None}

    def refusal(self, method: str, host: str | None, origin: str | None, fetch_site: str | None) -> str | None:
        """Why a request must be refused (host not ours, POST from another origin), or None."""
        name = _hostname(host or "")
        if name not in self.allowed_hosts:
            return "host_not_allowed"
        if method != "POST":
            return None
        if origin is not None and origin.lower() not in (
            f"http://{(host or '').lower()}",
            f"https://{(host or '').lower()}",
        ):
            return "cross_origin"
        # A browser that sends no Origin still says where the request comes from.
        if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
            return "cross_origin"
        return None

    def post(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """Decode and apply one input; the status and the answer (the new state, or the error)."""
        try:
            dispatch(self.flow, self.simulated, i.decoder.decode(body))
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            return 400, _error("invalid_input", str(error)[:300])
        except InputNotAllowedError as error:
            return 409, _error("not_allowed_here", str(error))
        except PermissionError as error:
            return 403, _error("not_simulated", str(error))
        except (RefusedNoteError, BadDeviceMessageError, ValueError) as error:
            return 422, _error("refused_input", str(error)[:300])
        except (DeviceFaultError, CoreRefusal) as error:
            return 409, _error("device_or_core_refused", str(error)[:300])
        return 200, self.state()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def _hostname(host: str) -> str:
    """'127.0.0.1:8100' -> '127.0.0.1', '[::1]:8100' -> '[::1]'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _handler(server: ScreenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self._refused("GET"):
                return
            path = self.path.split("?", 1)[0]
            if path == "/api/state":
                return self._json(200, server.state())
            name = "index.html" if path == "/" else path.removeprefix("/static/")
            file = (STATIC / name).resolve()
            if file.parent != STATIC.resolve() or not file.is_file():
                return self._json(404, _error("not_found", "no such page"))
            self._send(200, file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream")

        def do_POST(self) -> None:  # noqa: N802
            if self._refused("POST"):
                return
            length = int(self.headers.get("Content-Length") or 0)
            if self.path != "/api/input" or not 0 < length <= MAX_BODY:
                return self._json(
                    400, _error("invalid_input", f"POST /api/input with a JSON body of 1-{MAX_BODY} bytes")
                )
            self._json(*server.post(self.rfile.read(length)))

        def _refused(self, method: str) -> bool:
            reason = server.refusal(
                method, self.headers.get("Host"), self.headers.get("Origin"), self.headers.get("Sec-Fetch-Site")
            )
            if reason is not None:
                self._json(
                    403,
                    _error(
                        reason,
                        "Yêu cầu không đến từ màn hình của kiosk này / "
                        "the request does not come from this kiosk's screen",
                    ),
                )
            return reason is not None

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header(
                "Content-Type",
                content_type
                if "charset" in content_type or not content_type.startswith("text")
                else f"{content_type}; charset=utf-8",
            )
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - requests carry personal data
            return

    return Handler
