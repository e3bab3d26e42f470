// Helpers shared by the screen's modules.
"use strict";

export const dong = (n) => Number(n).toLocaleString("vi-VN") + " đồng";
export const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
export const code = (c) => `<span class="code">${esc(c)}</span>`;  // a dossier code never breaks at its hyphens
export const home = `<button class="big grey" data-action="cancel">Về trang chủ</button>`;
