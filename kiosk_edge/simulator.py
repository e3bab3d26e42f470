"""The scripted simulator: plays citizens at a running kiosk's screen and the staff at the core (demos, tests).

A script is a JSON list of steps:
- `{"do": {"action": ..., ...}, "expect": "screen"}`: a touch or a device reading posted to the kiosk's
  `/api/input` (see kiosk_edge/screen/inputs.py), then the screen it must lead to;
- `{"staff": "register_envelopes", "barcodes": [...]}` or `{"staff": "return_result", "code": ...,
  "department": ...}` (accept, route, issue the result, hand it to the consultant team, load it into a tray).
Strings `$dossier` (the last dossier code the kiosk showed) and `$otp` (the last OTP the SMS sink caught
for the phone typed last) are replaced before a step runs. OTPs reach the sink when the core runs with
MOTCUA_SMS_URL=http://127.0.0.1:<sms port>/sms.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk_edge.auth import staff_auth
from kiosk_edge.core_client import CoreClient


class SimulationError(Exception):
    """A step did not go as the script says."""


class SmsSink:
    """A stand-in SMS gateway on 127.0.0.1: keeps the last OTP sent to each phone."""

    def __init__(self, port: int = 0) -> None:
        self.codes: dict[str, str] = {}
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                found = re.search(r"\b(\d{6})\b", str(body.get("text", "")))
                if found:
                    sink.codes[str(body.get("to", ""))] = found.group(1)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "sim"}')

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - carries phones and codes
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.httpd.serve_forever, name="sms-sink", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/sms"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


STAFF_LOGINS = {
    "reception": ("tiepnhan", "demo-tiepnhan"),
    "department": ("tuphap", "demo-tuphap"),
    "consultant": ("tuvan", "demo-tuvan"),
}


class Simulator:
    """Runs script steps against the kiosk screen at `kiosk_url` and the core at `core_url`."""

    def __init__(
        self,
        kiosk_url: str,
        core_url: str,
        *,
        kiosk: str = "Q6-01",
        sms: SmsSink | None = None,
        logins: dict[str, tuple[str, str]] = STAFF_LOGINS,
    ) -> None:
        self.kiosk_url, self.kiosk, self.sms = kiosk_url.rstrip("/"), kiosk, sms
        self.staff = {role: CoreClient(core_url, kiosk, staff_auth(core_url, *login)) for role, login in logins.items()}
        self.names = {"dossier": "", "phone": ""}

    def press(self, action: dict[str, Any], expect: str | None = None) -> dict[str, Any]:
        """Post one input to the kiosk; the new state (SimulationError if refused or on the wrong screen)."""
        request = urllib.request.Request(
            f"{self.kiosk_url}/api/input",
            data=json.dumps(action).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                state = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise SimulationError(f"{action['action']}: HTTP {error.code} {error.read().decode()[:300]}") from None
        self.names["dossier"] = state.get("dossier_code") or self.names["dossier"]
        if expect is not None and state["screen"] != expect:
            raise SimulationError(f"{action['action']}: expected the {expect} screen, got {state['screen']}")
        return state

    def run(self, steps: list[dict[str, Any]]) -> list[str]:
        """Every step in order; the screens passed through."""
        screens = []
        for step in steps:
            step = self._fill(step)
            if "do" in step:
                if step["do"].get("action") == "phone":
                    self.names["phone"] = step["do"].get("phone", "")
                screens.append(self.press(step["do"], step.get("expect"))["screen"])
            elif step.get("staff") == "register_envelopes":
                self.staff["consultant"].call(
                    "POST", f"/kiosks/{self.kiosk}/envelope-batches", {"barcodes": step["barcodes"]}
                )
            elif step.get("staff") == "return_result":
                self.return_result(step["code"], step["department"])
            else:
                raise SimulationError(f"unknown step {sorted(step)}")
        return screens

    def return_result(self, code: str, department: str) -> None:
        """The office's day (seed 000, §4): accept, route, result, handover to the consultant team, tray loading."""
        reception, clerk, team = self.staff["reception"], self.staff["department"], self.staff["consultant"]
        reception.call("POST", f"/dossiers/{code}/accept", {})
        reception.call("POST", f"/dossiers/{code}/route", {"department": department})
        clerk.call("POST", f"/dossiers/{code}/result", {"summary": "Kết quả giải quyết thủ tục"})
        # The clerk is the giver (their login); the team's login receives and confirms.
        clerk.call(
            "POST",
            f"/dossiers/{code}/handovers",
            {"item": "Kết quả (bản chính)", "receiver": STAFF_LOGINS["consultant"][0]},
        )
        team.call("POST", "/kiosks/handovers/confirmations", {"codes": [code]})
        team.call("POST", f"/kiosks/{self.kiosk}/loads", {"codes": [code]})

    def _fill(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self._fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._fill(item) for item in value]
        if value == "$dossier":
            return self.names["dossier"]
        if value == "$otp":
            if self.sms is None or self.names["phone"] not in self.sms.codes:
                raise SimulationError("no OTP caught: run the core with MOTCUA_SMS_URL pointing at the SMS sink")
            return self.sms.codes.pop(self.names["phone"])
        return value
