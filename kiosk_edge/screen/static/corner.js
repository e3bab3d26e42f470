// [14] The screens of the ID-card return registration (seed 000 §2.2) and of the online-submission corner (§3).
// Drawn with the helpers of app.js, in the same formal "Ông/Bà".
"use strict";

import { code, dong, esc, home } from "/static/util.js";

// How the result comes back (seed 000 §3, step 8), sent with the portal's form.
const DELIVERY = [["kiosk", "Nhận tại kiosk này", "Tin nhắn báo khi kết quả được đặt vào khay"],
  ["postal", "Nhận qua bưu điện", "Gửi về địa chỉ trên thẻ Căn cước"],
  ["online", "Nhận bản điện tử", "Trên Cổng Dịch vụ công và kho dữ liệu của Ông/Bà"]];

export function cornerScreens({ field, keypad, refusal }) {
  return {
    card_procedures: (s) => `<h1>Đăng ký nhận thẻ Căn cước tại kiosk</h1>
      <p class="lead">Thẻ Căn cước đã làm tại Công an sẽ được đặt vào khay của kiosk này. Ông/Bà đăng ký để nhận tin nhắn
      khi thẻ sẵn sàng. Ông/Bà đã làm thủ tục nào?</p>
      ${s.card_procedures.map((p) => `<button class="big" data-action="card_procedure" data-code="${esc(p.code)}">${esc(p.name)}</button>`).join("")}
      ${s.card_procedures.length ? "" : `<div class="card"><p class="lead">Chưa tải được danh sách thủ tục. Ông/Bà vui lòng thử lại sau.</p></div>`}${home}`,
    card_typing: () => `<h1>Nhập thông tin thẻ Căn cước</h1>
      <p class="lead">Ông/Bà nhập số Căn cước (hoặc số CCCD cũ) 12 chữ số và họ tên như trên thẻ. Ông/Bà chưa có thẻ
      gắn chip thì nhập số Chứng minh nhân dân (CMND) 9 chữ số.</p>
      ${field("id_number", "Số Căn cước (12 chữ số) hoặc số CMND (9 chữ số)")}${field("name", "Họ và tên", true)}
      ${keypad({ action: "card_typed", from: "id_number name", label: "Tiếp tục" })}${home}`,
    card_slip: (s) => `<div class="ok"><div class="icon">✔</div><h1>Đã đăng ký nhận thẻ tại kiosk</h1></div>
      <div class="card"><p>Mã hồ sơ: <b class="code" id="card-code">${esc(s.dossier_code)}</b></p>
      <p>Thủ tục: ${esc(s.procedure?.name)}</p>
      <p>Khi Công an bàn giao thẻ và thẻ được đặt vào khay, tin nhắn sẽ gửi đến số <b class="code">${esc(s.masked_phone)}</b>.</p></div>
      <p class="lead">Ông/Bà vui lòng nhận phiếu đăng ký ở khe máy in. Khi có tin nhắn, chọn <b>"Nhận kết quả"</b>,
      nhập mã hồ sơ và mã xác nhận để nhận thẻ${s.cmnd_masked ? `, hoặc chọn <b>"Tôi dùng CMND 9 số"</b>, nhập số CMND
      <b class="code" id="slip-cmnd">${esc(s.cmnd_masked)}</b> và quét mã QR trên phiếu` : ""}.</p><button class="big green" data-action="finish">Hoàn tất</button>`,
    scan_docs: (s) => `<h1>Quét giấy tờ của hồ sơ</h1><div class="card"><ol>
      <li>Đặt từng trang giấy tờ úp xuống mặt kính của máy quét, phía dưới màn hình.</li>
      <li>Máy tự quét mỗi trang. Sau đó đặt trang tiếp theo.</li><li>Quét cả đơn đã điền và ký.</li></ol></div>
      <div class="card"><p class="lead">Đã quét: <b id="pages">${esc(s.pages)}</b> trang · Thủ tục: ${esc(s.procedure?.name)}</p></div>
      <button class="big green" data-action="scan_done"${s.pages ? "" : " disabled"}>Đã quét xong<small>Chuyển sang điền tờ khai trên Cổng Dịch vụ công</small></button>${home}`,
    portal_form: (s) => `<h1>Tờ khai trên Cổng Dịch vụ công</h1>
      <div class="card"><p>Đã tự động điền từ thẻ Căn cước: <b>${esc(s.name)}</b> · ${esc(s.id_masked)} ·
      <span class="code">${esc(s.masked_phone)}</span></p>
      <p>Thủ tục: ${esc(s.procedure?.name)} · <b>${esc(s.pages)}</b> trang giấy tờ đã quét</p></div>
      <p class="lead">Ông/Bà chọn nơi nhận kết quả để nộp hồ sơ:</p>
      ${DELIVERY.map(([key, label, hint]) => `<button class="big${key === "kiosk" ? " green" : ""}" data-action="portal_form"
        data-delivery="${key}">${label}<small>${hint}</small></button>`).join("")}${home}`,
    online_payment: (s) => `<h1>Thanh toán trực tuyến</h1><p class="lead">Cổng Dịch vụ công đã nhận hồ sơ
      ${code(s.portal_code)}. Ông/Bà thanh toán phí, lệ phí bằng chuyển khoản.</p>
      <div class="card money"><span>Phí, lệ phí</span><b>${dong(s.owed)}</b><span>Đã nộp</span><b>${dong(s.paid)}</b>
      <span class="due">Còn thiếu</span><b class="due" id="shortfall">${dong(s.shortfall)}</b></div>
      ${s.vietqr ? `<div class="card qrcard"><div class="qr" id="vietqr">${s.vietqr.svg}</div>
        <div><h2>Chuyển khoản</h2><p>Quét mã VietQR bằng ứng dụng ngân hàng. Nội dung chuyển khoản đã có sẵn mã hồ sơ.</p>
        <p class="meta">Số tiền: <b>${dong(s.vietqr.amount)}</b><br>Tài khoản: ${esc(s.vietqr.account)} · ${esc(s.vietqr.account_name)}</p></div></div>`
        : `<div class="card"><p>Tạm ngừng chuyển khoản khi kiosk mất kết nối.</p></div>`}
      <button class="big grey" data-action="end_payment">Thanh toán sau trên Cổng Dịch vụ công</button>`,
    online_done: (s) => `<div class="ok"><div class="icon">✔</div><h1>Nộp hồ sơ trực tuyến thành công</h1></div>
      <div class="card"><p>Mã hồ sơ trên Cổng Dịch vụ công:</p><p><b class="code" id="portal-code">${esc(s.portal_code)}</b></p>
      <p>Thủ tục: ${esc(s.procedure?.name)}</p>
      ${s.shortfall ? `<p>Còn phải thanh toán <b>${dong(s.shortfall)}</b> trên Cổng Dịch vụ công.</p>` : `<p>Đã thanh toán: <b>${dong(s.paid)}</b></p>`}</div>
      <p class="lead">Ông/Bà giữ mã này để tra cứu và nhận kết quả trên Cổng Dịch vụ công.</p>
      <div class="row"><button class="big" data-action="print_portal_code">In mã hồ sơ</button>
      <button class="big green" data-action="finish">Hoàn tất</button></div>`,
    portal_refused: (s) => refusal("Cổng Dịch vụ công chưa nhận hồ sơ", s),
    card_return_refused: (s) => refusal("Chưa đăng ký được", s, false),
  };
}
