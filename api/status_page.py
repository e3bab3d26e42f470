"""The public status page (tra cứu hồ sơ): one small, mobile-friendly HTML page with a form and its answer.

No script, no font or stylesheet from outside: it works on any phone and under the API's content security policy.
The form is sent by POST so the phone digits never appear in an address, a log line or a browser history.
"""

from __future__ import annotations

from html import escape

from projections.status import PublicStatus

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;background:#f4f6f8;color:#111}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;color:#0b4f8a;margin:.5rem 0 1rem}
form,.answer{background:#fff;border-radius:.5rem;padding:1rem;box-shadow:0 1px 3px #0002;margin-bottom:1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;box-sizing:border-box;font-size:1.15rem;padding:.6rem;border:1px solid #888;border-radius:.35rem}
button{margin-top:1rem;width:100%;font-size:1.15rem;padding:.75rem;background:#0b4f8a;color:#fff;border:0;border-radius:.35rem}
dl{margin:0}dt{font-weight:600;margin-top:.6rem}dd{margin:0}
.missing{border-left:.35rem solid #b3261e}.found{border-left:.35rem solid #1b7f3b}
.error{color:#b3261e;font-weight:600}
small{color:#444}
"""


def render_page(answer: PublicStatus | None = None, *, code: str = "", error: str | None = None) -> str:
    """The page: the form (the code kept, never the digits) and, after a lookup, its answer or an error."""
    return "".join(
        [
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Tra cứu hồ sơ – Một Cửa 24/7</title><style>{STYLE}</style></head><body><main>",
            "<h1>Tra cứu tình trạng hồ sơ</h1>",
            _error(error) if error else "",
            _answer(answer) if answer is not None else "",
            '<form method="post" action="/tra-cuu">',
            '<label for="code">Mã hồ sơ (in trên giấy biên nhận)</label>',
            f'<input id="code" name="code" required maxlength="60" autocomplete="off" value="{escape(code)}" '
            'placeholder="VD: H29.06-260520-0001">',
            '<label for="phone_last4">4 số cuối điện thoại đã đăng ký</label>',
            '<input id="phone_last4" name="phone_last4" required inputmode="numeric" pattern="[0-9]{4}" maxlength="4" '
            'autocomplete="off">',
            '<button type="submit">Tra cứu</button></form>',
            "<p><small>Trang này không hiển thị thông tin cá nhân. "
            "Nếu cần hỗ trợ, Ông/Bà vui lòng liên hệ Bộ phận Một cửa.</small></p></main></body></html>",
        ]
    )


def _error(message: str) -> str:
    return f'<div class="answer missing" role="alert"><p class="error">{escape(message)}</p></div>'


def _answer(answer: PublicStatus) -> str:
    if not answer.found:
        return f'<div class="answer missing" role="status"><p>{escape(answer.message_vi)}</p></div>'
    rows = [
        ("Mã hồ sơ", answer.code),
        ("Thủ tục", answer.procedure),
        ("Tình trạng", answer.status_label),
        ("Ngày hẹn trả", answer.appointment_date.strftime("%d/%m/%Y") if answer.appointment_date else None),
        ("Nơi nhận kết quả", answer.collect_at),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in rows if v)
    return f'<div class="answer found" role="status"><dl>{items}</dl></div>'
