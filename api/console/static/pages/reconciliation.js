// Đối soát ngân hàng: import a bank statement (CSV as the bank exports it, or camt.053 XML) and see its lines as
// matched, unmatched and disputed (amount differs, duplicate), for a period of booking dates.
import { caughtUp, get, post } from "../api.js";
import { go, notice } from "../app.js";
import { field, fmtDate, fmtMoney, fmtTime, form, h, table, today } from "../ui.js";

export const page = {
  route: "reconciliation", title: "Đối soát ngân hàng", needs: ["GET /money/reconciliation"], menu: true,
};
const REASONS = { amount_differs: "Số tiền không khớp", duplicate: "Trùng khoản đã đối soát" };
const SECTIONS = [
  ["disputed", "Chênh lệch cần xử lý"], ["unmatched", "Không tìm thấy hồ sơ"], ["matched", "Đã khớp"],
];

export async function render(view, { query }) {
  const params = new URLSearchParams({ from: query.get("from") || `${today().slice(0, 8)}01`, to: query.get("to") || today() });
  const data = await get(`/money/reconciliation?${params}`);
  view.append(
    h("h1", {}, "Đối soát sao kê ngân hàng"),
    h("p", { class: "sub" }, `Ngày giao dịch từ ${fmtDate(params.get("from"))} đến ${fmtDate(params.get("to"))}`),
    upload(),
    period(params),
    ...SECTIONS.map(([key, title]) => section(title, data[key], data.totals, key)),
  );
}

function upload() {
  const input = h("input", { name: "file", type: "file", required: true, accept: ".csv,.txt,.xml,text/csv,application/xml" });
  return form({ class: "no-print", "aria-label": "Nhập sao kê" },
    [field("Tệp sao kê", input, "CSV (Ngày giao dịch, Số tham chiếu, Số tiền ghi có, Nội dung) hoặc XML camt.053. "
      + "Nhập lại cùng một tệp không thay đổi gì.")],
    "Nhập sao kê", async () => {
      const bytes = new Uint8Array(await input.files[0].arrayBuffer());
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      const result = await post("/money/statements", { content: btoa(binary) });
      if (result.imported) await caughtUp("reconciliation", result.position);
      const message = result.imported
        ? `Đã nhập sao kê: ${result.matched} dòng khớp, ${result.unmatched} dòng không khớp, ${result.disputed} dòng chênh lệch.`
        : "Sao kê này đã được nhập trước đây: không có thay đổi.";
      const target = `#/reconciliation?${new URLSearchParams({ from: firstDay(result), to: lastDay(result) })}`;
      // the router clears the notice on a hash change: say it once the page of the statement's dates is shown
      if (location.hash !== target) addEventListener("hashchange", () => notice(message), { once: true });
      else notice(message);
      go(target);
    });
}

const firstDay = (result) => result.lines.map((l) => l.booked_on).sort()[0] || today();
const lastDay = (result) => result.lines.map((l) => l.booked_on).sort().at(-1) || today();

function period(params) {
  const el = h("form", { class: "filters no-print", "aria-label": "Chọn khoảng thời gian" },
    field("Từ ngày", h("input", { name: "from", type: "date", required: true, value: params.get("from") })),
    field("Đến ngày", h("input", { name: "to", type: "date", required: true, value: params.get("to") })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Xem")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`#/reconciliation?${new URLSearchParams(new FormData(el))}`);
  });
  return el;
}

function section(title, lines, totals, key) {
  return h("section", { "aria-label": title },
    h("h2", {}, `${title}: ${totals[`${key}_lines`]} dòng, ${fmtMoney(totals[`${key}_amount`])}`),
    lines.length ? table(["Ngày giao dịch", "Số tham chiếu", "Số tiền", "Nội dung", "Hồ sơ", "Ghi chú", "Nhập lúc"],
      lines.map((l) => [fmtDate(l.booked_on), l.bank_reference, fmtMoney(l.amount), l.text,
        l.dossier_code ? h("a", { href: `#/dossiers/${encodeURIComponent(l.dossier_code)}` }, l.dossier_code) : "—",
        REASONS[l.reason] || "—", fmtTime(l.imported_at)]), { class: "list", id: `reconciliation-${key}` })
      : h("p", {}, "Không có dòng nào."));
}
