// Báo cáo: the weekly, monthly or quarterly report page (HTML from the API), shown in a frame and printable.
import { download, text } from "../api.js";
import { go, notice } from "../app.js";
import { field, h, options, today } from "../ui.js";

export const page = { route: "reports", title: "Báo cáo", needs: ["GET /views/reports/{period}"], menu: true };
const PERIODS = { week: "Tuần", month: "Tháng", quarter: "Quý" };

export async function render(view, { query }) {
  const period = PERIODS[query.get("period")] ? query.get("period") : "month";
  const params = new URLSearchParams({ date: query.get("date") || today() });
  if (query.get("agency")) params.set("agency", query.get("agency"));
  const el = h("form", { class: "filters", "aria-label": "Chọn kỳ báo cáo" },
    field("Kỳ báo cáo", h("select", { name: "period" }, options(Object.entries(PERIODS), period))),
    field("Ngày trong kỳ", h("input", { name: "date", type: "date", required: true, value: params.get("date") })),
    field("Mã cơ quan", h("input", { name: "agency", value: params.get("agency") || "", pattern: "[A-Za-z0-9.]{1,40}" }),
      "Để trống: mọi cơ quan."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Xem báo cáo")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`#/reports?${new URLSearchParams(new FormData(el))}`);
  });
  const path = `/views/reports/${period}?${params}`;
  // The page is fetched with the credentials and shown sandboxed: a plain link would not carry them.
  const frame = h("iframe", { class: "report", title: "Báo cáo", sandbox: "allow-modals allow-same-origin",
    srcdoc: await text(`${path}&format=html`) });
  // The same report as a file: CSV and XLSX hold the same numbers, PDF is the printable form to file.
  const save = (format) => async () => {
    try {
      notice(`Đã tải tệp ${await download(`${path}&format=${format}`, `bao-cao-${period}.${format}`)}.`);
    } catch (error) {
      notice(error.message);
    }
  };
  view.append(h("h1", {}, "Báo cáo tiếp nhận và trả kết quả"), el,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => frame.contentWindow.print() }, "In báo cáo"),
      h("button", { type: "button", onclick: save("xlsx") }, "Tải Excel (XLSX)"),
      h("button", { type: "button", onclick: save("pdf") }, "Tải PDF"),
      h("button", { type: "button", onclick: save("csv") }, "Tải CSV")), frame);
}
