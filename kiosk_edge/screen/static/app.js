// The citizen's screen: polls /api/state, draws the screen the session machine is on, posts touches to /api/input.
"use strict";

const app = document.getElementById("app");
let shown = "";

const dong = (n) => n.toLocaleString("vi-VN") + " đồng";
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
const home = `<button class="big grey" data-action="cancel">Về trang chủ</button>`;

function keypad(extra = "") {
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", ...extra.split(""), "0", "⌫"];
  return `<div class="keypad${extra ? " wide" : ""}">${keys.map((k) => `<button data-key="${esc(k)}">${esc(k)}</button>`).join("")}</div>`;
}

function field(name, label, extra = "") {
  return `<div><label for="${name}">${label}</label><input id="${name}" name="${name}" autocomplete="off"
    inputmode="${extra ? "text" : "numeric"}" data-keypad="${extra}"></div>`;
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

const identity = (s) => s.name ? `<div class="card"><p>Người nộp: <b>${esc(s.name)}</b></p><p>Số Căn cước: ${esc(s.id_masked)}</p></div>` : "";

const SCREENS = {
  home: () => `<h1>Xin chào!</h1><p class="lead">Vui lòng chọn dịch vụ bạn cần.</p>
    <button class="big" data-action="begin" data-flow="submit">NỘP HỒ SƠ<small>Nộp hồ sơ trực tiếp tại kiosk</small></button>
    <button class="big green" data-action="begin" data-flow="pickup">NHẬN KẾT QUẢ<small>Nhận kết quả hồ sơ, thẻ Căn cước</small></button>`,
  procedures: (s) => `<h1>Chọn thủ tục cần thực hiện</h1><div class="list">${s.procedures.map((p) => `
    <button class="choice" data-action="procedure" data-code="${esc(p.code)}">${esc(p.name)}
      <span class="meta">${p.fee ? "Lệ phí: " + dong(p.fee) : "Miễn lệ phí"}${p.face_required ? " · Cần xác thực khuôn mặt" : ""}</span>
    </button>`).join("")}</div>${home}`,
  scan_cccd: (s) => `<h1>Quét thẻ Căn cước</h1><div class="icon">▣</div>
    <p class="lead">Vui lòng đặt mặt có mã QR của thẻ Căn cước lên đầu đọc phía dưới màn hình.
    Họ tên, số Căn cước và địa chỉ sẽ được tự động điền.</p><div class="card"><p>Thủ tục: <b>${esc(s.procedure?.name)}</b></p></div>${home}`,
  phone: (s) => `<h1>Nhập số điện thoại</h1>${identity(s)}${field("phone", "Số điện thoại di động")}${keypad()}
    <button class="big" data-action="phone" data-from="phone">Gửi mã OTP</button>${home}`,
  otp: () => `<h1>Nhập mã OTP</h1><p class="lead">Mã OTP đã được gửi qua tin nhắn đến số điện thoại của bạn.</p>
    ${field("otp", "Mã OTP (6 chữ số)")}${keypad()}<button class="big" data-action="otp" data-from="otp">Xác nhận</button>${home}`,
  face: () => `<h1>Xác thực khuôn mặt</h1><div class="icon">☺</div><p class="lead">Thủ tục này cần xác thực khuôn mặt.
    Vui lòng tháo khẩu trang, kính râm và nhìn thẳng vào camera.</p><button class="big" data-action="face">Bắt đầu xác thực</button>${home}`,
  envelope: (s) => `<h1>Đưa hồ sơ vào máy</h1><div class="card"><ol>
    <li>Lấy 01 túi hồ sơ của kiosk.</li><li>Cho đơn và giấy tờ của thủ tục vào túi.</li>
    <li>Đưa túi vào khe <b>"Nhận hồ sơ"</b>, <b>mã vạch hướng lên trên</b>.</li></ol></div>
    <div class="icon">✉</div><p class="lead">Thủ tục: ${esc(s.procedure?.name)}</p>${home}`,
  payment: (s) => `<h1>Thanh toán phí, lệ phí</h1><p class="lead">Hồ sơ <b>${esc(s.dossier_code)}</b> đã được tiếp nhận.</p>
    ${money(s, "Phí, lệ phí")}<div class="row"><div class="card"><h2>Tiền mặt</h2><p>Đưa từng tờ tiền vào khe nhận tiền.</p></div>
    <div class="card">${s.offline ? "<h2>Chuyển khoản QR</h2><p>Tạm ngừng khi kiosk mất kết nối. Vui lòng nộp tiền mặt.</p>"
      : `<h2>Chuyển khoản QR</h2><div class="qr"></div><p>Quét mã bằng ứng dụng ngân hàng.</p>`}</div></div>
    <button class="big grey" data-action="end_payment">Kết thúc thanh toán và in biên nhận</button>`,
  receipt: (s) => `<div class="ok"><div class="icon">✔</div><h1>Nộp hồ sơ thành công</h1></div>
    <div class="card"><p>Mã hồ sơ (số biên nhận): <b id="dossier-code">${esc(s.dossier_code)}</b></p>
    <p>Ngày hẹn trả kết quả: <b>${esc(s.due_on)}</b></p>
    ${s.shortfall ? `<p>Còn thiếu <b>${dong(s.shortfall)}</b>, vui lòng nộp khi nhận kết quả.</p>` : ""}
    ${s.excess ? `<p>Nộp thừa <b>${dong(s.excess)}</b>, được xử lý khi tiếp nhận hồ sơ.</p>` : ""}</div>
    <p class="lead">Vui lòng nhận biên nhận ở khe máy in phía dưới.</p><button class="big green" data-action="finish">Hoàn tất</button>`,
  pickup_choice: () => `<h1>Nhận kết quả</h1>
    <button class="big" data-action="pickup" data-by-otp="false">Số Căn cước + số biên nhận<small>Kết quả thủ tục của UBND Quận</small></button>
    <button class="big green" data-action="pickup" data-by-otp="true">Mã hồ sơ + mã OTP<small>Nhận thẻ Căn cước (mã hồ sơ trong tin nhắn)</small></button>${home}`,
  pickup_receipt: () => `<h1>Nhập thông tin nhận kết quả</h1>${field("id_number", "Số Căn cước (12 chữ số)")}
    ${field("code", "Số biên nhận (mã hồ sơ)", "H.-")}${keypad("H.-")}
    <button class="big" data-action="pickup_receipt" data-from="id_number code">Tra cứu</button>${home}`,
  pickup_code: () => `<h1>Nhập mã hồ sơ</h1><p class="lead">Mã hồ sơ có trong tin nhắn thông báo bạn đã nhận.</p>
    ${field("code", "Mã hồ sơ", "H.-")}${keypad("H.-")}<button class="big" data-action="pickup_code" data-from="code">Gửi mã OTP</button>${home}`,
  pickup_otp: () => `<h1>Nhập mã OTP</h1><p class="lead">Mã OTP đã được gửi đến số điện thoại đăng ký trong hồ sơ.</p>
    ${field("otp", "Mã OTP (6 chữ số)")}${keypad()}<button class="big" data-action="pickup_otp" data-from="otp">Xác nhận</button>${home}`,
  pickup_face: () => SCREENS.face(),
  pickup_payment: (s) => `<h1>Nộp số tiền còn thiếu</h1><p class="lead">Hồ sơ <b>${esc(s.dossier_code)}</b> còn thiếu phí.
    Máy không trả lại tiền thừa.</p>${money(s, "Số tiền còn thiếu")}<div class="card"><p>Đưa tiền mặt vào khe nhận tiền,
    hoặc quét mã QR bằng ứng dụng ngân hàng.</p></div>${home}`,
  release: () => `<h1>Đang mở khay trả hồ sơ…</h1><div class="icon">…</div>`,
  tray_open: (s) => `<div class="ok"><div class="icon">⇩</div><h1>Khay số <span id="tray">${esc(s.tray)}</span> đã mở</h1></div>
    <p class="lead">Vui lòng lấy kết quả hồ sơ <b>${esc(s.dossier_code)}</b> và đóng khay lại.</p>`,
  rating: () => `<h1>Đánh giá chất lượng phục vụ</h1><p class="lead">Bạn có hài lòng với dịch vụ hôm nay?</p>
    <div class="stars">${["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"].map((t, i) =>
      `<button data-action="rate" data-stars="${i + 1}"><span>${"★".repeat(i + 1)}${"☆".repeat(4 - i)}</span>${t}</button>`).join("")}</div>`,
  thanks: () => `<div class="ok"><div class="icon">♥</div><h1>Cảm ơn bạn đã sử dụng dịch vụ!</h1></div>
    <button class="big green" data-action="finish">Về trang chủ</button>`,
  bad_qr: (s) => refusal("Không đọc được thẻ Căn cước", s),
  bad_phone: (s) => refusal("Số điện thoại không hợp lệ", s),
  otp_limit: (s) => refusal("Chưa gửi được mã OTP", s),
  wrong_otp: (s) => refusal("Mã OTP không đúng", s),
  face_mismatch: (s) => refusal("Xác thực khuôn mặt không thành công", s),
  unknown_envelope: (s) => refusal("Phong bì không hợp lệ", s),
  submission_refused: (s) => refusal("Chưa tiếp nhận được hồ sơ", s),
  not_processed_yet: (s) => refusal("Hồ sơ chưa được xử lý xong", s),
  pickup_refused: (s) => refusal("Không tìm thấy hồ sơ", s),
  pickup_locked: (s) => refusal("Tạm khóa nhận kết quả tại kiosk", s),
  payment_pending: (s) => refusal("Đang ghi nhận thanh toán", s),
  tray_fault: (s) => refusal("Khay không mở được", s, false),
  offline: (s) => `<div class="refusal"><div class="icon">⚠</div><h1>Kiosk đang mất kết nối</h1></div>
    <div class="card"><p class="lead">${esc(s.message)}</p></div><button class="big grey" data-action="finish">Về trang chủ</button>`,
};

function draw(s) {
  const key = JSON.stringify(s, (k, v) => (k === "backlog" ? undefined : v));
  const sync = document.getElementById("sync");
  sync.hidden = !s.backlog;
  sync.textContent = `Đang đồng bộ ${s.backlog} sự kiện`;
  if (key === shown) return;
  shown = key;
  document.body.dataset.screen = s.screen;
  app.innerHTML = (SCREENS[s.screen] || SCREENS.home)(s);
  const first = app.querySelector("input");
  if (first) first.focus();
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

async function send(body) {
  const answer = await fetch("/api/input", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await answer.json();
  if (answer.ok) draw(data);
  else toast(answer.status === 400 ? "Thông tin nhập chưa đúng, vui lòng kiểm tra lại." : "Thao tác chưa thực hiện được, vui lòng thử lại.");
}

let focused = null;
app.addEventListener("focusin", (e) => { if (e.target.tagName === "INPUT") focused = e.target; });
app.addEventListener("click", (e) => {
  const key = e.target.closest("[data-key]");
  if (key && focused) {
    focused.value = key.dataset.key === "⌫" ? focused.value.slice(0, -1) : focused.value + key.dataset.key;
    focused.focus();
    return;
  }
  const button = e.target.closest("[data-action]");
  if (!button) return;
  const d = button.dataset, body = { action: d.action };
  if (d.flow) body.flow = d.flow;
  if (d.code) body.code = d.code;
  if (d.stars) body.stars = Number(d.stars);
  if (d.byOtp) body.by_otp = d.byOtp === "true";
  for (const name of (d.from || "").split(" ").filter(Boolean)) {
    body[name] = document.getElementById(name).value.trim().toUpperCase();
  }
  send(body);
});

refresh();
setInterval(refresh, 500);
