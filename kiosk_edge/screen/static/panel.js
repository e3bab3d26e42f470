// The demo device panel (only with MOTCUA_DEMO=1): plays the kiosk's camera, intake slot, cash acceptor, bank and
// trays by posting the same device readings the simulator posts (kiosk_edge/screen/inputs.py). Not for citizens.
"use strict";

import { esc } from "/static/util.js";

const NOTES = [1000, 2000, 5000, 10000, 50000, 100000];
let drawn = "";

function buttons(d, s) {
  const b = (label, body, enabled = true) =>
    `<button data-demo="${esc(JSON.stringify(body))}"${enabled ? "" : " disabled"}>${esc(label)}</button>`;
  return `<h2>Thiết bị mô phỏng (demo)</h2>
    <p>Camera / đầu đọc</p>${b("Quét thẻ Căn cước mẫu", { action: "scan_cccd", payload: d.cccd })}
    ${b("Quét biên nhận vừa in", { action: "scan_receipt", code: d.receipt || "" }, Boolean(d.receipt))}
    ${b("Khuôn mặt khớp", { action: "next_face", matched: true })}${b("Khuôn mặt không khớp", { action: "next_face", matched: false })}
    <p>Máy quét giấy tờ</p>${b(`Quét một trang (đã quét ${d.pages})`, { action: "scan_page" }, s.screen === "scan_docs")}
    <p>Khe nhận hồ sơ</p>${b(`Đưa túi hồ sơ ${d.envelope}`, { action: "insert_envelope", barcode: d.envelope })}
    <p>Khe nhận tiền</p>${NOTES.map((n) => b(`${n.toLocaleString("vi-VN")} đ`, { action: "insert_cash", denomination: n })).join("")}
    <p>Ngân hàng</p>${b("Báo đã nhận chuyển khoản", { action: "bank_qr", amount: s.shortfall || 1, reference: "DEMO" + Date.now() % 1e8 }, s.shortfall > 0)}
    <p>Khay trả kết quả</p>${b(`Lấy kết quả, đóng khay ${d.tray ?? ""}`, { action: "close_tray" }, s.screen === "tray_open")}`;
}

export function panel(s, send) {
  const aside = document.getElementById("demo");
  aside.hidden = !s.demo;
  if (!s.demo) return;
  const key = JSON.stringify([s.demo, s.screen, s.shortfall]);
  if (key === drawn) return;
  drawn = key;
  aside.querySelector(".tools").innerHTML = buttons(s.demo, s);
  aside.onclick = (e) => {
    const toggle = e.target.closest("[data-toggle]");
    if (toggle) return aside.classList.toggle("open");
    const button = e.target.closest("[data-demo]");
    if (button && !button.disabled) send(JSON.parse(button.dataset.demo));
  };
}
