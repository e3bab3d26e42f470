// Màn hình sau kiosk: scan a result's barcode (its dossier code) → the tray that opens, in huge digits → loading slip.
import { loadResult } from "../actions.js";
import { h, kioskForm } from "../ui.js";

export async function render(view, { args, session }) {
  const key = args[0];
  if (!key) {
    view.append(h("h1", {}, "Nạp kết quả vào khay"), kioskForm("#/kiosk-staff"));
    return;
  }
  const scan = h("input", { id: "scan", name: "code", required: true, autofocus: true, autocomplete: "off", maxlength: 40,
    class: "scan", "aria-describedby": "scan-hint" });
  const tray = h("output", { id: "tray", class: "tray-number", for: "scan", "aria-live": "assertive" }, "—");
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const slip = h("pre", { id: "slip", class: "slip" });
  const slipCard = h("section", { class: "card slip-card", hidden: true, "aria-labelledby": "slip-title" },
    h("h2", { id: "slip-title" }, "Phiếu nạp kết quả"), slip,
    h("button", { type: "button", class: "no-print", onclick: () => print() }, "In phiếu"));
  const done = h("ol", { id: "loaded", class: "loaded" });
  const el = h("form", { class: "card", "aria-label": "Quét mã kết quả" },
    h("label", { for: "scan" }, "Quét mã vạch trên kết quả (mã hồ sơ)"), scan,
    h("small", { id: "scan-hint", class: "hint" }, "Máy quét gõ mã rồi Enter; có thể gõ tay."), error);
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = scan.value.trim();
    if (!code) return;
    error.hidden = true;
    scan.disabled = true;
    tray.textContent = "…";
    try {
      const result = await loadResult(key, code);
      tray.textContent = String(result.loaded[0].tray);
      slip.textContent = result.text;
      slipCard.hidden = false;
      const door = (result.doors || {})[String(result.loaded[0].tray)];
      const note = door && door !== "opened" ? " — cửa khay chưa tự mở, vui lòng mở bằng chìa khóa" : "";
      done.prepend(h("li", {}, `Khay ${result.loaded[0].tray}: ${code}${note}`));
    } catch (failure) {
      tray.textContent = "—";
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      scan.disabled = false;
      scan.value = "";
      scan.focus();
    }
  });
  view.append(h("h1", { class: "no-print" }, `Nạp kết quả vào khay — kiosk ${key}`),
    h("div", { class: "columns staff" },
      h("div", { class: "no-print" }, el, h("section", { class: "card" }, h("h2", {}, "Khay mở"), tray),
        h("section", { class: "card" }, h("h2", {}, "Đã nạp trong phiên này"), done)),
      slipCard));
}
