"""[14] The national portal of the kiosk's online corner: a simulated portal for the embedded default and tests.

It answers like the Cổng Dịch vụ công quốc gia: a dossier code `<portal unit>-<yymmdd>-<4-digit daily sequence>`
(e.g. `000.00.13.H29-261203-0001`), the unit being the portal's code of the receiving province."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime

from application.online_corner import PortalUnavailableError
from application.ports import PortalSubmission
from domain.clock import VIETNAM

PORTAL_UNIT = "000.00.13.H29"


class SimulatedPortal:
    """Takes every well-formed submission and numbers it; `down=True` plays an outage."""

    def __init__(self, unit: str = PORTAL_UNIT, *, down: bool = False) -> None:
        self.unit, self.down = unit, down
        self.received: list[tuple[str, str, int]] = []  # (portal code, procedure code, pages): no personal data
        self._lock, self._days = threading.Lock(), dict[str, itertools.count]()

    def submit(self, submission: PortalSubmission, at: datetime) -> str:
        if self.down:
            raise PortalUnavailableError(
                "the national portal did not answer",
                "Cổng Dịch vụ công chưa phản hồi. Ông/Bà vui lòng thử lại sau ít phút.",
            )
        day = at.astimezone(VIETNAM).strftime("%y%m%d")
        with self._lock:
            number = next(self._days.setdefault(day, itertools.count(1)))
            code = f"{self.unit}-{day}-{number:04d}"
            self.received.append((code, submission.procedure_code, submission.pages))
        return code
