// Screens of the seed flows added by issue [14]: a supplement handed in at the kiosk, a rejected dossier given back
// with its notice, pickup by the old 9-digit ID card (CMND), and the wait shown on every lock-out screen.
// `h` holds app.js's drawing helpers (keypad, field, step, refusal, otpScreen, clock).
"use strict";

import { code, esc, home } from "/static/util.js";

// "Vui lòng thử lại sau NN phút", counting down in place (app.js's tick calls waitTick every poll).
export function wait(s, clock) {
  if (!s.wait_left) return "";
  return `<p class="lead" id="wait">Vui lòng thử lại sau <b id="wait-minutes">${Math.ceil(s.wait_left / 60)} phút</b>
    (<span id="wait-clock">${clock(s.wait_left)}</span>).</p>`;
}

export function waitTick(s, clock) {
  const shown = document.getElementById("wait");
  if (!shown) return;
  if (s.wait_left > 0) {
    document.getElementById("wait-minutes").textContent = `${Math.ceil(s.wait_left / 60)} phút`;
    document.getElementById("wait-clock").textContent = clock(s.wait_left);
  } else {
    shown.textContent = "Ông/Bà có thể thử lại ngay bây giờ.";
  }
}

const locked = (title, s, h, extra = "") => `<div class="refusal"><div class="icon">⚠</div><h1>${title}</h1></div>
  <div class="card"><p class="lead">${esc(s.message)}</p>${wait(s, h.clock)}${extra}</div>`;

export function seedScreens(h) {
  return {
    // ----- a supplement (nộp bổ sung hồ sơ) -----
    supplement_scan: (s) => `<h1>Nộp bổ sung hồ sơ</h1>
      <p class="lead">Dành cho hồ sơ Ông/Bà đã nhận tin nhắn yêu cầu bổ sung giấy tờ.</p>
      ${h.step(s.card_read, 1, "Đặt mặt có mã QR của <b>thẻ Căn cước</b> của người nộp hồ sơ lên đầu đọc.")}
      ${h.step(Boolean(s.dossier_code), 2, "Đặt mã QR in trên <b>biên nhận</b> của hồ sơ lên đầu đọc.")}
      <div class="icon">▣</div>
      <button class="big grey" data-action="type_instead">Không quét được? Nhập bằng bàn phím</button>${home}`,
    supplement_typing: () => `<h1>Nhập thông tin hồ sơ cần bổ sung</h1>${h.field("id_number", "Số Căn cước (12 chữ số)")}
      ${h.field("code", "Số biên nhận (mã hồ sơ)", true)}
      ${h.keypad({ action: "supplement_typed", from: "id_number code", label: "Tra cứu" }, "H.-")}${home}`,
    supplement_otp: (s) => h.otpScreen(s, "Nhập mã xác nhận"),
    supplement_items: (s) => `<h1>Giấy tờ cần bổ sung</h1>
      <div class="card"><p>Hồ sơ ${code(s.dossier_code)}</p><ul id="asked">${s.asked.map((item) => `<li><b>${esc(item)}</b></li>`).join("")}</ul>
      ${s.reason ? `<p class="meta reason">Lý do: ${esc(s.reason)}</p>` : ""}
      <p class="meta">Ngày yêu cầu bổ sung: ${esc(s.requested_on)}</p>
      <p>Nếu nộp bổ sung hôm nay, ngày hẹn trả mới: <b id="new-due">${esc(s.due_on)}</b></p></div>
      <div class="card"><ol><li>Lấy 01 túi hồ sơ ở ngăn đựng túi của kiosk.</li><li>Cho các giấy tờ trên vào túi.</li>
      <li>Đưa túi vào khe <b>"Nhận hồ sơ"</b>, <b>mã vạch hướng lên trên</b>.</li></ol></div>${home}`,
    supplement_receipt: (s) => `<div class="ok"><div class="icon">✔</div><h1>Nộp bổ sung thành công</h1></div>
      <div class="card"><p>Mã hồ sơ: <b class="code" id="dossier-code">${esc(s.dossier_code)}</b></p>
      <p>Ngày hẹn trả kết quả mới: <b id="new-due">${esc(s.due_on)}</b></p></div>
      <p class="lead">Ông/Bà vui lòng nhận biên nhận bổ sung ở khe máy in phía dưới và giữ lại để nhận kết quả.</p>
      <button class="big green" data-action="finish">Hoàn tất</button>`,
    supplement_not_awaited: (s) => h.refusal("Hồ sơ không chờ bổ sung", s),
    supplement_refused: (s) => h.refusal("Thông tin chưa khớp", s),
    supplement_locked: (s) => `${locked("Tạm khóa nộp bổ sung tại kiosk", s, h)}${home}`,
    // ----- a rejected dossier given back -----
    rejected_notice: (s) => `<div class="refusal"><div class="icon">✉</div><h1>Hồ sơ không được giải quyết</h1></div>
      <div class="card"><p class="lead">Hồ sơ ${code(s.dossier_code)} đã bị từ chối giải quyết.</p>
      <p class="lead reason" id="rejection-reason">Lý do: <b>${esc(s.reason)}</b></p>
      <p>Ông/Bà nhận lại hồ sơ gốc kèm thông báo từ chối ở khay số <b>${esc(s.tray)}</b>.</p></div>
      <button class="big" data-action="notice_read">Nhận lại hồ sơ</button>${home}`,
    // ----- pickup by CMND -----
    pickup_cmnd: () => `<h1>Nhập số CMND</h1>
      <p class="lead">Số Chứng minh nhân dân gồm 9 chữ số, in ở mặt trước của CMND.</p>
      ${h.field("cmnd", "Số CMND (9 chữ số)")}${h.keypad({ action: "cmnd_number", from: "cmnd", label: "Tiếp tục" })}${home}`,
    pickup_cmnd_receipt: (s) => `<h1>Quét biên nhận</h1>
      <div class="card step done"><span class="n">✔</span><p>Số CMND: <b id="cmnd-masked">${esc(s.cmnd_masked)}</b></p>
      <button class="chip" data-action="cmnd">Sửa số CMND</button></div>
      ${h.step(false, 2, "Đặt mã QR in trên <b>biên nhận</b> lên đầu đọc, hoặc nhập số biên nhận dưới đây.")}
      ${h.field("code", "Số biên nhận (mã hồ sơ)", true)}
      ${h.keypad({ action: "cmnd_code", from: "code", label: "Gửi mã xác nhận" }, "H.-")}${home}`,
    cmnd_mismatch: (s) => h.refusal("Số CMND chưa khớp", s),
  };
}

// The screens of app.js that show how long to wait, with the wait added.
export function lockScreens(h) {
  return {
    otp_limit: (s) => `${locked("Chưa gửi được mã xác nhận", s, h)}
      <div class="row"><button class="big" data-action="retry">Thử lại</button>${home}</div>`,
    otp_locked: (s) => `${locked("Mã xác nhận đã bị khóa", s, h)}<div class="row">${h.resend(s)}${home}</div>`,
    pickup_locked: (s) => `${locked("Tạm khóa nhận kết quả tại kiosk", s, h,
      `<p class="lead">Đường dây nóng: <b class="code">${esc(s.hotline)}</b></p>`)}${home}`,
  };
}
