// The citizen's screen: polls /api/state, draws the screen the session machine is on, posts touches to /api/input.
// Texts are in the formal "Ông/Bà"; texts shared with the receipt come from the state (kiosk_edge/wording.py).
"use strict";

import { cornerScreens } from "/static/corner.js";
import { panel } from "/static/panel.js";
import { procedures, resetProcedures } from "/static/procedures.js";
import { lockScreens, seedScreens, waitTick } from "/static/seed_flows.js";
import { code, dong, esc, home } from "/static/util.js";

const app = document.getElementById("app");
let shown = "";


// Phone order: 1 2 3 / 4 5 6 / 7 8 9 / ⌫ 0 ✓; `extra` adds a column of letters for dossier codes (H . -).
function keypad(submit, extra = "") {
  const rows = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["⌫", "0", "✓"]];
  const keys = rows.flatMap((row, i) => (extra ? [...row, extra[i] || ""] : row));
  const key = (k) => k === "✓" ? `<button class="ok" aria-label="${esc(submit.label)}" data-action="${submit.action}" data-from="${submit.from}">✓</button>`
    : k ? `<button data-key="${esc(k)}">${esc(k)}</button>` : "<span></span>";
  return `<div class="keypad${extra ? " wide" : ""}">${keys.map(key).join("")}</div>`;
}

function field(name, label, text = false) {
  return `<div><label for="${name}">${label}</label><input id="${name}" name="${name}" autocomplete="off"
    inputmode="${text ? "text" : "numeric"}"></div>`;
}

function refusal(title, s, retry = true) {
  return `<div class="refusal"><div class="icon">⚠</div><h1>${title}</h1></div>
    <div class="card"><p class="lead">${esc(s.message)}</p></div>
    <div class="row">${retry ? `<button class="big" data-action="retry">Thử lại</button>` : ""}${home}</div>`;
}

function money(s, label) {
  return `<div class="card money"><span>${label}</span><b>${dong(s.owed)}</b><span>Đã nộp</span><b>${dong(s.paid)}</b>
    <span class="due">Còn thiếu</span><b class="due" id="shortfall">${dong(s.shortfall)}</b></div>`;
}

const noChange = (s) => `<div class="warn" id="no-change"><b>⚠ ${esc(s.texts.no_change)}</b> ${esc(s.texts.excess_refund)}
  Ông/Bà nên đưa tờ tiền có mệnh giá không lớn hơn số tiền còn thiếu.</div>`;

function payWays(s) {
  const qr = s.vietqr ? `<div class="card qrcard"><div class="qr" id="vietqr">${s.vietqr.svg}</div>
      <div><h2>Chuyển khoản</h2><p>Quét mã VietQR bằng ứng dụng ngân hàng. Nội dung chuyển khoản đã có sẵn mã hồ sơ.</p>
      <p class="meta">Số tiền: <b>${dong(s.vietqr.amount)}</b><br>Tài khoản: ${esc(s.vietqr.account)} · ${esc(s.vietqr.account_name)}</p></div></div>`
    : `<div class="card"><h2>Chuyển khoản</h2><p>Tạm ngừng khi kiosk mất kết nối. Ông/Bà vui lòng nộp tiền mặt.</p></div>`;
  return `<div class="card"><h2>Tiền mặt</h2><p>Đưa từng tờ tiền vào khe nhận tiền.</p></div>${qr}${noChange(s)}`;
}

function otpScreen(s, title) {
  const where = s.masked_phone ? `đến số điện thoại <b class="code" id="masked-phone">${esc(s.masked_phone)}</b>` : "đến số điện thoại đăng ký trong hồ sơ";
  return `<h1>${title}</h1><p class="lead">Mã xác nhận gồm 6 chữ số đã được gửi qua tin nhắn ${where}.
    Mã còn hiệu lực trong <b id="countdown">${clock(s.otp_left)}</b>.</p>
    ${field("otp", "Mã xác nhận (6 chữ số)")}${keypad({ action: { otp: "otp", supplement_otp: "supplement_otp" }[s.screen] || "pickup_otp", from: "otp", label: "Xác nhận" })}
    <div class="row">${resend(s)}${home}</div>`;
}

function resend(s) {
  if (!s.resends_left) return "";
  const wait = s.resend_in > 0 ? ` (sau ${s.resend_in} giây)` : "";
  return `<button class="big" id="resend" data-action="resend"${s.resend_in > 0 ? " disabled" : ""}>Gửi lại mã<small id="resend-wait">${wait}</small></button>`;
}

// The four levels of Circular 01/2018/TT-VPCP, counted in the satisfaction reports.
const LEVELS = [["very_satisfied", "★★★★", "Rất hài lòng"], ["satisfied", "★★★", "Hài lòng"],
  ["acceptable", "★★", "Chấp nhận được"], ["dissatisfied", "★", "Không hài lòng"]];
const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
const identity = (s) => s.name ? `<div class="card"><p>Người nộp: <b>${esc(s.name)}</b></p>${s.id_masked
  ? `<p>Số Căn cước: ${esc(s.id_masked)}</p>` : `<p>Số CMND: <span id="identity-cmnd">${esc(s.cmnd_masked)}</span></p>`}</div>` : "";
const step = (done, n, text) => `<div class="card step${done ? " done" : ""}"><span class="n">${done ? "✔" : n}</span><p>${text}</p></div>`;

const SCREENS = {
  home: () => `<h1>Kính chào Ông/Bà!</h1><p class="lead">Ông/Bà vui lòng chọn việc cần làm.</p>
    <button class="big" data-action="begin" data-flow="submit">NỘP HỒ SƠ<small>Nộp hồ sơ giấy trực tiếp tại kiosk</small></button>
    <button class="big green" data-action="begin" data-flow="pickup">NHẬN KẾT QUẢ<small>Nhận kết quả hồ sơ, thẻ Căn cước</small></button>
    <button class="big" data-action="begin" data-flow="supplement">NỘP BỔ SUNG HỒ SƠ<small>Khi đã nhận tin nhắn yêu cầu bổ sung giấy tờ</small></button>

    <div class="row"><button class="big grey" data-action="begin" data-flow="card_return">ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC<small>Nhận thẻ tại kiosk này</small></button>
    <button class="big grey" data-action="begin" data-flow="online">NỘP TRỰC TUYẾN<small>Quét giấy tờ, nộp lên Cổng Dịch vụ công</small></button></div>`,
  procedures: (s) => procedures(s),
  scan_cccd: (s) => `<h1>Quét thẻ Căn cước</h1><div class="icon">▣</div>
    <p class="lead">Ông/Bà vui lòng đặt mặt có mã QR của thẻ Căn cước lên đầu đọc phía dưới màn hình.
    Họ tên, số Căn cước và địa chỉ sẽ được tự động điền.</p><div class="card"><p>Thủ tục: <b>${esc(s.procedure?.name)}</b></p></div>
    ${s.flow === "card_return" ? `<button class="big grey" data-action="card_type_instead">Không quét được thẻ? Nhập số Căn cước
      <small>Chưa có thẻ gắn chip: nhập số CMND 9 chữ số</small></button>` : ""}${home}`,
  phone: (s) => `<h1>Nhập số điện thoại</h1>${identity(s)}<p>Mã xác nhận sẽ được gửi qua tin nhắn đến số này.</p>
    ${field("phone", "Số điện thoại di động")}<div><label for="channel">Nhận thông báo về hồ sơ qua</label>
    <select id="channel" name="channel"><option value="sms">Tin nhắn SMS</option><option value="zalo">Zalo</option></select></div>
    ${keypad({ action: "phone", from: "phone channel", label: "Gửi mã xác nhận" })}${home}`,
  otp: (s) => otpScreen(s, "Nhập mã xác nhận"),
  face: () => `<h1>Xác thực khuôn mặt</h1><div class="icon">☺</div><p class="lead">Thủ tục này cần xác thực khuôn mặt.
    Ông/Bà vui lòng tháo khẩu trang, kính râm và nhìn thẳng vào camera.</p><button class="big" data-action="face">Bắt đầu xác thực</button>${home}`,
  envelope: (s) => `<h1>Đưa túi hồ sơ vào máy</h1><div class="card"><ol>
    <li>Lấy 01 túi hồ sơ ở ngăn đựng túi của kiosk.</li><li>Cho đơn và giấy tờ của thủ tục vào túi.</li>
    <li>Đưa túi vào khe <b>"Nhận hồ sơ"</b>, <b>mã vạch hướng lên trên</b>.</li></ol></div>
    ${s.procedure?.form ? `<button class="big green" data-action="print_form"${s.forms_printed >= 2 ? " disabled" : ""}>In tờ khai
      <small>${s.forms_printed ? "Đã in. Ông/Bà điền thêm, ký rồi cho vào túi." : "Đã điền sẵn thông tin trên thẻ Căn cước"}</small></button>` : ""}
    <p class="lead">Thủ tục: ${esc(s.procedure?.name)}</p>${home}`,
  payment: (s) => `<h1>Nộp phí, lệ phí</h1><p class="lead">Hồ sơ ${code(s.dossier_code)} đã được tiếp nhận.</p>
    ${money(s, "Phí, lệ phí")}${payWays(s)}
    <button class="big grey" data-action="end_payment">Kết thúc thanh toán và in biên nhận</button>`,
  cash_confirm: (s) => `<div class="refusal"><div class="icon">⚠</div><h1>Máy không trả lại tiền thừa</h1></div>
    <div class="card"><p class="lead">Ông/Bà vừa đưa vào <b id="held">${dong(s.held)}</b>, số tiền còn thiếu là <b>${dong(s.shortfall)}</b>.
    Nếu nộp tờ tiền này, Ông/Bà nộp thừa <b>${dong(s.held - s.shortfall)}</b>. ${esc(s.texts.excess_refund)}</p></div>
    <button class="big green" data-action="return_note">Lấy lại tờ tiền<small>Rồi đưa tờ tiền mệnh giá nhỏ hơn, hoặc chuyển khoản</small></button>
    <button class="big grey" data-action="keep_note">Vẫn nộp tờ tiền này</button>`,
  receipt: (s) => `<div class="ok"><div class="icon">✔</div><h1>Nộp hồ sơ thành công</h1></div>
    <div class="card"><p>Mã hồ sơ (số biên nhận): <b class="code" id="dossier-code">${esc(s.dossier_code)}</b></p>
    <p>Ngày hẹn trả kết quả: <b>${esc(s.due_on)}</b></p>
    ${s.shortfall ? `<p>Còn thiếu <b>${dong(s.shortfall)}</b>. ${esc(s.texts.shortfall_later)}</p>` : ""}
    ${s.excess ? `<p id="excess">Nộp thừa <b>${dong(s.excess)}</b>. ${esc(s.texts.excess_refund)}</p>` : ""}</div>
    <p class="lead">Ông/Bà vui lòng nhận biên nhận ở khe máy in phía dưới và giữ lại để nhận kết quả.</p>
    <button class="big green" data-action="finish">Hoàn tất</button>`,
  pickup_choice: () => `<h1>Nhận kết quả</h1><p class="lead">Ông/Bà nhận kết quả theo cách nào?</p>
    <button class="big" data-action="pickup" data-by-otp="false">Tôi có biên nhận<small>Quét thẻ Căn cước và biên nhận</small></button>
    <button class="big green" data-action="pickup" data-by-otp="true">Nhận thẻ Căn cước<small>Dùng mã hồ sơ trong tin nhắn của Công an</small></button>
    <button class="big" data-action="cmnd">Tôi dùng CMND 9 số<small>Chưa có thẻ Căn cước gắn chip: nhập số CMND và quét biên nhận</small></button>${home}`,
  pickup_receipt: (s) => `<h1>Quét thẻ Căn cước và biên nhận</h1>
    ${step(s.card_read, 1, "Đặt mặt có mã QR của <b>thẻ Căn cước</b> lên đầu đọc phía dưới màn hình.")}
    ${step(Boolean(s.dossier_code), 2, "Đặt mã QR in trên <b>biên nhận</b> lên đầu đọc.")}
    <div class="icon">▣</div>
    <button class="big grey" data-action="type_instead">Không quét được? Nhập bằng bàn phím</button>${home}`,
  pickup_typing: () => `<h1>Nhập thông tin nhận kết quả</h1>${field("id_number", "Số Căn cước (12 chữ số)")}
    ${field("code", "Số biên nhận (mã hồ sơ)", true)}${keypad({ action: "pickup_receipt", from: "id_number code", label: "Tra cứu" }, "H.-")}${home}`,
  pickup_code: () => `<h1>Nhập mã hồ sơ</h1><p class="lead">Mã hồ sơ có trong tin nhắn thông báo Ông/Bà đã nhận.</p>
    ${field("code", "Mã hồ sơ", true)}${keypad({ action: "pickup_code", from: "code", label: "Gửi mã xác nhận" }, ["H", ".", "-", "CA"])}${home}`,
  pickup_otp: (s) => otpScreen(s, "Nhập mã xác nhận"),
  pickup_face: () => SCREENS.face(),
  pickup_payment: (s) => `<h1>Nộp số tiền còn thiếu</h1><p class="lead">Hồ sơ ${code(s.dossier_code)} còn thiếu phí, lệ phí.</p>
    ${money(s, "Số tiền còn thiếu")}${payWays(s)}${home}`,
  release: () => `<h1>Đang mở khay trả hồ sơ…</h1><div class="icon">…</div>`,
  tray_open: (s) => `<div class="ok"><div class="icon">⇩</div><h1>Khay số <span id="tray">${esc(s.tray)}</span> đã mở</h1></div>
    <p class="lead">Ông/Bà vui lòng lấy ${s.rejected ? "lại hồ sơ gốc và thông báo từ chối của hồ sơ" : "kết quả hồ sơ"}
    <b id="tray-code" class="code">${esc(s.dossier_code)}</b> và đóng khay lại.</p>`,
  rating: () => `<h1>Đánh giá chất lượng phục vụ</h1><p class="lead">Ông/Bà có hài lòng với việc giải quyết hồ sơ không?</p>
    <div class="stars">${LEVELS.map(([level, face, text]) =>
      `<button data-action="rate" data-level="${level}"><span>${face}</span>${text}</button>`).join("")}</div>`,
  thanks: () => `<div class="ok"><div class="icon">♥</div><h1>Cảm ơn Ông/Bà đã sử dụng dịch vụ!</h1></div>
    <button class="big green" data-action="finish">Về trang chủ</button>`,
  bad_qr: (s) => refusal("Không đọc được thẻ Căn cước", s),
  bad_phone: (s) => refusal("Số điện thoại chưa đúng", s),
  wrong_otp: (s) => refusal("Mã xác nhận chưa đúng", s),
  face_mismatch: (s) => refusal("Xác thực khuôn mặt chưa thành công", s),
  unknown_envelope: (s) => refusal("Túi hồ sơ chưa hợp lệ", s),
  submission_refused: (s) => refusal("Chưa tiếp nhận được hồ sơ", s),
  not_processed_yet: (s) => refusal("Hồ sơ chưa có kết quả", s),
  pickup_refused: (s) => refusal("Không tìm thấy hồ sơ", s),
  payment_pending: (s) => refusal("Đang ghi nhận thanh toán", s),
  tray_fault: (s) => refusal("Khay không mở được", s, false),
  offline: (s) => `<div class="refusal"><div class="icon">⚠</div><h1>Kiosk tạm ngừng phục vụ</h1></div>
    <div class="card"><p class="lead">${esc(s.message)}</p></div><button class="big grey" data-action="finish">Về trang chủ</button>`,
};

Object.assign(SCREENS, cornerScreens({ field, keypad, refusal }));  // [14] ID-card return, online corner
Object.assign(SCREENS, seedScreens({ keypad, field, step, refusal, otpScreen, clock }));
Object.assign(SCREENS, lockScreens({ resend, clock }));  // otp_limit, otp_locked, pickup_locked: with the wait

// Countdowns and the staff's backlog change every second: they update in place instead of redrawing the screen
// (a redraw would empty what the citizen is typing).
const TICKING = new Set(["backlog", "otp_left", "resend_in", "wait_left", "demo"]);

function draw(s) {
  document.getElementById("help").textContent = s.help;
  panel(s, send);
  const key = JSON.stringify(s, (k, v) => (TICKING.has(k) ? undefined : v));
  if (key !== shown) {
    if (JSON.parse(shown || "{}").screen !== s.screen) resetProcedures();
    shown = key;
    document.body.dataset.screen = s.screen;
    app.innerHTML = (SCREENS[s.screen] || SCREENS.home)(s);
    const first = app.querySelector("input");
    if (first && s.screen !== "procedures") first.focus();  // the letters show when the citizen touches the search
  }
  tick(s);
}

function tick(s) {
  waitTick(s, clock);
  const countdown = document.getElementById("countdown");
  if (countdown) countdown.textContent = clock(s.otp_left);
  const again = document.getElementById("resend");
  if (again) {
    again.disabled = s.resend_in > 0 && s.screen !== "otp_locked";
    document.getElementById("resend-wait").textContent = again.disabled ? ` (sau ${s.resend_in} giây)` : "";
  }
}

async function refresh() {
  try {
    draw(await (await fetch("/api/state")).json());
  } catch (e) { /* the kiosk process is restarting: try again on the next tick */ }
}

function toast(text) {
  const el = document.getElementById("toast");
  el.textContent = text;
  el.hidden = false;
  setTimeout(() => { el.hidden = true; }, 4000);
}

export async function send(body) {
  const answer = await fetch("/api/input", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await answer.json();
  if (answer.ok) draw(data);
  else toast(answer.status === 400 || answer.status === 422 ? "Thông tin nhập chưa đúng, Ông/Bà vui lòng kiểm tra lại."
    : "Thao tác chưa thực hiện được, Ông/Bà vui lòng thử lại.");
}

let focused = null;
app.addEventListener("focusin", (e) => { if (e.target.tagName === "INPUT") focused = e.target; });
app.addEventListener("click", (e) => {
  const key = e.target.closest("[data-key]");
  if (key && focused) {
    focused.value = key.dataset.key === "⌫" ? focused.value.slice(0, -1) : focused.value + key.dataset.key;
    focused.dispatchEvent(new Event("input", { bubbles: true }));
    focused.focus();
    return;
  }
  const button = e.target.closest("[data-action]");
  if (!button || button.disabled) return;
  const d = button.dataset, body = { action: d.action };
  if (d.flow) body.flow = d.flow;
  if (d.code) body.code = d.code;
  if (d.stars) body.stars = Number(d.stars);
  if (d.level) body.level = d.level;
  if (d.byOtp) body.by_otp = d.byOtp === "true";
  if (d.delivery) body.delivery = d.delivery;
  for (const name of (d.from || "").split(" ").filter(Boolean)) {
    const value = document.getElementById(name).value.trim();
    body[name] = name === "name" ? value : value.toUpperCase();  // a name keeps its Vietnamese letters as typed
  }
  send(body);
});

refresh();
setInterval(refresh, 500);
