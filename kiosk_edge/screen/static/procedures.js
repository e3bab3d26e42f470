// The procedure screen for people who do not know the official names: the most used first, groups by life event,
// and a search that ignores diacritics (typed on the on-screen letters). Filtering happens here, without the server.
"use strict";

import { dong, esc, home } from "/static/util.js";

const MOST_USED = "Thường dùng", ALL = "Tất cả";
const LETTERS = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];
let ui = { group: MOST_USED, query: "" };
let current = [];

export function resetProcedures() {
  ui = { group: MOST_USED, query: "" };
}

export const plain = (text) => String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();

function shortName(name) {
  let text = name.replace(/^Thủ tục /, "").split(";")[0];
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return text.length > 110 ? text.slice(0, 108).replace(/\s+\S*$/, "") + "…" : text;
}

function chosen() {
  if (ui.query.trim()) {
    const words = plain(ui.query).split(/\s+/).filter(Boolean);
    return current.filter((p) => words.every((w) => plain(`${p.name} ${p.group} ${p.department}`).includes(w)));
  }
  if (ui.group === MOST_USED) return current.slice(0, 6);
  return ui.group === ALL ? current : current.filter((p) => p.group === ui.group);
}

function items() {
  const found = chosen();
  if (!found.length) return `<p class="lead">Không tìm thấy thủ tục phù hợp. Ông/Bà thử từ khác, ví dụ "khai sinh", "chứng thực".</p>`;
  return found.map((p) => `<button class="choice" data-action="procedure" data-code="${esc(p.code)}" title="${esc(p.name)}">${esc(shortName(p.name))}
      <span class="meta">${esc(p.department)} · ${p.fee ? "Lệ phí: " + dong(p.fee) : "Miễn lệ phí"}${p.face_required ? " · Cần xác thực khuôn mặt" : ""}</span>
    </button>`).join("");
}

function chips() {
  const groups = [MOST_USED, ...new Set(current.map((p) => p.group)), ALL];
  return groups.map((g) => `<button class="chip${!ui.query && g === ui.group ? " on" : ""}" data-group="${esc(g)}">${esc(g)}</button>`).join("");
}

const letters = () => LETTERS.map((row) => row.split("").map((k) => `<button data-key="${k}">${k}</button>`).join("")).join("")
  + `<button data-key=" " class="space">Dấu cách</button><button data-key="⌫" class="space">⌫ Xóa</button>`;

export function procedures(s) {
  current = s.procedures;
  return `<h1>Chọn thủ tục</h1>
    <div class="search"><label for="search">Tìm thủ tục (gõ không dấu, ví dụ: khai sinh)</label>
      <input id="search" autocomplete="off" inputmode="none" value="${esc(ui.query)}"></div>
    <div class="letters" id="letters">${letters()}</div>
    <div class="chips" id="chips">${chips()}</div><div class="list" id="list">${items()}</div>${home}`;
}

function redraw() {
  document.getElementById("chips").innerHTML = chips();
  document.getElementById("list").innerHTML = items();
}

document.addEventListener("focusin", (e) => {
  if (e.target.id === "search") document.getElementById("letters").classList.add("on");
});
document.addEventListener("input", (e) => {
  if (e.target.id !== "search") return;
  ui.query = e.target.value;
  redraw();
});
document.addEventListener("click", (e) => {
  const chip = e.target.closest("[data-group]");
  if (!chip) return;
  ui = { group: chip.dataset.group, query: "" };
  document.getElementById("search").value = "";
  redraw();
});
