// Màn hình sau kiosk: scan a result's barcode (its dossier code) → the tray that opens, in huge digits → one loading
// slip for every result loaded in this session (not only the last scan), to print and sign at the end.
import { catalogue, get } from "../api.js";
import { loadResult, unsignedAllowed } from "../actions.js";
import { fmtTime, h, kioskForm, normaliseCode } from "../ui.js";

export const page = { route: "kiosk-staff", title: "Nạp khay (màn hình sau kiosk)", needs: ["POST /kiosks/{key}/loads", "GET /dossiers/{code}"], menu: true,
  kiosk: true };

// The session's slip: every line loaded since the page opened, and how many.
export function slipText(key, staff, lines, refused) {
  const when = lines.length ? `${fmtTime(lines[0].at)}${lines.length > 1 ? ` – ${fmtTime(lines.at(-1).at)}` : ""}` : "—";
  return [`PHIẾU NẠP KẾT QUẢ - KIOSK ${key}`, `Thời gian: ${when}`, `Người nạp: ${staff}`, "",
    ...lines.map((x) => `Khay ${String(x.tray).padStart(2)}: ${x.dossier_code}  ${x.procedure_name}`),
    ...Object.entries(refused).map(([code, reason]) => `Không nạp ${code}: ${reason}`),
    "", `Tổng số đã nạp: ${lines.length}`, "", "Người nạp (ký, ghi rõ họ tên)"].join("\n");
}

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
  const lines = [];
  const refused = {};
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = normaliseCode(scan.value);
    if (!code) return;
    error.hidden = true;
    scan.disabled = true;
    tray.textContent = "…";
    try {
      const [d, ref] = await Promise.all([get(`/dossiers/${encodeURIComponent(code)}`), catalogue()]);
      if (!(await unsignedAllowed(code, d.procedure_code, ref))) {
        tray.textContent = "—";
        return;
      }
      const result = await loadResult(key, code);
      tray.textContent = String(result.loaded[0].tray);
      delete refused[code];
      lines.push(...result.loaded.map((line) => ({ ...line, at: result.at })));
      slip.textContent = slipText(key, session.account.name, lines, refused);
      slipCard.hidden = false;
      const door = (result.doors || {})[String(result.loaded[0].tray)];
      const note = door && door !== "opened" ? " — cửa khay chưa tự mở, vui lòng mở bằng chìa khóa" : "";
      done.prepend(h("li", {}, `Khay ${result.loaded[0].tray}: ${code}${note}`));
    } catch (failure) {
      tray.textContent = "—";
      refused[code] = failure.message;
      if (lines.length) slip.textContent = slipText(key, session.account.name, lines, refused);
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
