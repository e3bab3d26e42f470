"""The demo-only page of the messages the console channel "sent" (OTP codes included): GET /demo/messages.

Registered only under MOTCUA_DEMO=1, where no SMS gateway exists and the person trying the kiosk needs the code.
The codes used to be printed into the server log; logs must never hold them.
"""

from __future__ import annotations

from html import escape

from litestar import MediaType, Response
from litestar.di import NamedDependency

from api.auth import PUBLIC
from api.routing import get
from infrastructure.bootstrap import System
from infrastructure.notifications.demo import DemoMessages, for_settings

CHANNELS = {"sms": "SMS", "zalo": "Zalo", "email": "Thư điện tử"}


# Public on purpose, and only in demo mode (api/app.py registers it under MOTCUA_DEMO=1 alone): the person trying the
# demo kiosk has no staff login, and the demo holds only invented people.
@get("/demo/messages", include_in_schema=False, sync_to_thread=True, opt=PUBLIC)
def demo_messages(system: NamedDependency[System]) -> Response[str]:
    """The last messages, newest first, as an HTML table (Vietnamese)."""
    outbox = for_settings(system.settings)
    return Response(page(outbox), media_type=MediaType.HTML, headers={"Cache-Control": "no-store"})


def page(outbox: DemoMessages | None) -> str:
    rows = "".join(
        f"<tr><td>{m.at.astimezone().strftime('%H:%M:%S %d/%m/%Y')}</td>"
        f"<td>{escape(CHANNELS.get(m.channel, m.channel))}</td>"
        f"<td>{escape(m.to)}</td><td>{escape(m.subject)}</td><td>{escape(m.text)}</td></tr>"
        for m in reversed(outbox.last() if outbox else [])
    )
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin nhắn demo</title>'
        '<link rel="stylesheet" href="/console/console.css"></head><body><main>'
        "<h1>Tin nhắn đã gửi (chỉ trong chế độ demo)</h1>"
        "<p>Không có cổng SMS, Zalo hay thư điện tử: tin nhắn, kể cả mã OTP, được hiển thị ở đây thay vì gửi đi.</p>"
        "<table><tr><th>Thời điểm</th><th>Kênh</th><th>Người nhận</th><th>Tiêu đề</th><th>Nội dung</th></tr>"
        f"{rows or '<tr><td colspan=5>Chưa có tin nhắn nào.</td></tr>'}</table></main></body></html>"
    )
