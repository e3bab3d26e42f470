// Small DOM helpers, Vietnamese labels and formats. Text always goes in as text nodes, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const reload = () => dispatchEvent(new HashChangeEvent("hashchange"));

let ids = 0;
// A labelled input: the label's `for` always points at the control.
export function field(name, control, hint) {
  control.id ||= `f${++ids}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, name), control,
    hint ? h("small", { class: "hint" }, hint) : null);
}

// A form whose submit runs `action`; its error shows inside the form (role=alert) and the button is busy meanwhile.
export function form(attrs, fields, submitLabel, action) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const button = h("button", { type: "submit" }, submitLabel);
  const el = h("form", attrs, fields, h("div", { class: "actions" }, button), error);
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!el.reportValidity()) return;
    error.hidden = true;
    button.disabled = true;
    el.setAttribute("aria-busy", "true");
    try {
      await action(new FormData(el), el);
    } catch (failure) {
      error.replaceChildren(failure.message);
      if (failure.stale) error.append(" ", h("button", { type: "button", onclick: reload }, "Tải lại"));
      error.hidden = false;
    } finally {
      button.disabled = false;
      el.removeAttribute("aria-busy");
    }
  });
  return el;
}

export function options(pairs, selected) {
  return pairs.map(([value, label]) => h("option", { value, selected: value === selected }, label));
}

const TZ = { timeZone: "Asia/Ho_Chi_Minh" };
export const fmtDate = (iso) => (iso ? new Date(`${iso.length === 10 ? `${iso}T12:00:00` : iso}`)
  .toLocaleDateString("vi-VN", { ...TZ, day: "2-digit", month: "2-digit", year: "numeric" }) : "—");
export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString("vi-VN", { ...TZ, hour: "2-digit", minute: "2-digit",
  day: "2-digit", month: "2-digit", year: "numeric" }) : "—");
export const fmtMoney = (n) => `${Number(n || 0).toLocaleString("vi-VN")} đ`;

// Today in Vietnam as YYYY-MM-DD (en-CA formats dates that way).
export const today = () => new Date().toLocaleDateString("en-CA", TZ);

// The labels moved to labels.js (the one place); re-exported for the pages that import them from here.
export { CHANNELS, label, QUEUES, ROLES, STATUS, TRAY } from "./labels.js";

// A dossier code as typed or scanned ("h29.06 - 260520-0001 ") in the form the API knows ("H29.06-260520-0001").
export const normaliseCode = (text) => String(text || "").replace(/\s+/g, "").toUpperCase();
export const DOSSIER_CODE = /^[A-Z0-9]+(\.[A-Z0-9]+)*-\d{6}-\d{4}$/;

// A modal question with the consequences spelled out; resolves true only on the confirming button.
export function confirmDialog(title, lines, confirmLabel, { danger = false } = {}) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-title" });
    const finish = (ok) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.append(h("h2", { id: "confirm-title" }, title), ...[lines].flat().map((line) => h("p", {}, line)),
      h("div", { class: "actions" },
        h("button", { type: "button", class: danger ? "danger" : null, onclick: () => finish(true) }, confirmLabel),
        h("button", { type: "button", class: "secondary", autofocus: true, onclick: () => finish(false) }, "Quay lại")));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// The signed-in account as a party of the handover book; `ref` (GET /console/reference) names its unit.
export function party(account, ref) {
  const unit = ref.departments.find((d) => d.code === account.department) || ref.agencies.find((a) => a.code === account.agency);
  return { account_id: account.username, name: account.name, role: account.role, unit: unit?.name || account.agency };
}

export function table(headers, rows, attrs = {}) {
  return h("table", attrs, h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.length ? rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c ?? "—"))))
      : h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, "Không có dữ liệu."))));
}

// Remember the kiosk a user works with, so kiosk pages open on it next time.
export const lastKiosk = (key) => (key ? localStorage.setItem("motcua.kiosk", key) : localStorage.getItem("motcua.kiosk") || "");

// Pages about one kiosk without a key: open the last one used, or ask for it.
export function kioskForm(base) {
  const input = h("input", { name: "kiosk", required: true, autofocus: true, pattern: "[A-Z0-9-]{2,31}",
    placeholder: "Q6-01", value: lastKiosk() });
  const el = h("form", { class: "card narrow", "aria-label": "Chọn kiosk" }, field("Mã kiosk", input),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Mở")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    lastKiosk(input.value.trim());
    location.hash = `${base}/${encodeURIComponent(input.value.trim())}`;
  });
  return el;
}
