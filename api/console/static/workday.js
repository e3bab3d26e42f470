// Helpers shared by the working-day pages (counter, routines, search, accounts): their stylesheet, a confirmation
// dialog, printing one part of a page, opening a PDF the API signs, and dossier codes as typed.
import { request } from "./api.js";
import { h } from "./ui.js";

// The pages' own styles, linked once when the first of them loads (index.html stays as it is).
export function useStyles() {
  if (document.getElementById("workday-css")) return;
  document.head.append(h("link", { id: "workday-css", rel: "stylesheet", href: "/console/workday.css" }));
}

// A dossier code as typed or scanned ("h29.06 - 260520-0001 ") in the form the API knows.
export const normaliseCode = (text) => String(text || "").replace(/\s+/g, "").toUpperCase();

// A modal question that spells out what will happen; resolves true only on the confirming button.
export function confirmDialog(title, lines, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-title" });
    const finish = (ok) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.append(h("h2", { id: "confirm-title" }, title), ...[lines].flat().map((line) => h("p", {}, line)),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", onclick: () => finish(true) }, confirmLabel), " ",
        h("button", { type: "button", class: "secondary", autofocus: true, onclick: () => finish(false) }, "Quay lại")));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Print only `el` (a direct child of the page): labels, notices and receipts, without the forms around them.
export function printOnly(el) {
  el.classList.add("print-target");
  document.body.classList.add("print-one");
  print();
  document.body.classList.remove("print-one");
  el.classList.remove("print-target");
}

// POST a command whose answer is a PDF (the signed receipt form): returns {url, name, sha256} to open or save.
export async function postPdf(path, fallbackName) {
  const response = await request("POST", path, {});
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || fallbackName;
  return { url: URL.createObjectURL(await response.blob()), name, sha256: response.headers.get("X-Document-Sha256") || "" };
}

// Banknotes the cash box takes, largest first (đồng).
export const DENOMINATIONS = [500000, 200000, 100000, 50000, 20000, 10000, 5000, 2000, 1000];

// A modal asking for one line of text (a reason, a new password); resolves the text, or null when cancelled.
export function askText(title, fieldLabel, { type = "text", hint = "", minlength = 1 } = {}) {
  return new Promise((resolve) => {
    const input = h("input", { id: "ask-text", type, required: true, minlength, maxlength: 500, autocomplete: type === "password" ? "new-password" : "off" });
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "ask-title" });
    const finish = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const el = h("form", { method: "dialog" }, h("h2", { id: "ask-title" }, title),
      h("div", { class: "field" }, h("label", { for: "ask-text" }, fieldLabel), input, hint ? h("small", { class: "hint" }, hint) : null),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Đồng ý"), " ",
        h("button", { type: "button", class: "secondary", onclick: () => finish(null) }, "Quay lại")));
    el.addEventListener("submit", (event) => {
      event.preventDefault();
      if (el.reportValidity()) finish(input.value.trim());
    });
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(null);
    });
    dialog.append(el);
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
