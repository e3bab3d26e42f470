// Sổ sách: the handover book, the kiosk tracking book and the cash ledger as printable tables, with PDF/CSV exports.
import { download, get } from "../api.js";
import { go, notice } from "../app.js";
import { DELIVERY, label, shown } from "../labels.js";
import { field, fmtDate, fmtMoney, fmtTime, h, lastKiosk, options, table, today } from "../ui.js";

export const page = { route: "books", title: "Sổ sách", needs: ["GET /views/books/tracking"], menu: true };
const BOOKS = { tracking: "Sổ theo dõi hồ sơ", handover: "Sổ giao nhận hồ sơ", cash: "Sổ quỹ" };
const REFUND_METHODS = { cash: "Tiền mặt tại quầy", bank_transfer: "Chuyển khoản" };
const REFUND_REASONS = { excess: "Tiền nộp thừa", rejected: "Hồ sơ bị từ chối", withdrawn: "Hồ sơ đã rút" };
const CASH_CSV = { collections: "lần thu", dossiers: "lệ phí theo hồ sơ", bank_qr: "chuyển khoản QR", refunds: "hoàn trả",
  departments: "tiền giao phòng ban" };

export async function render(view, { query }) {
  const book = BOOKS[query.get("book")] ? query.get("book") : "tracking";
  const params = new URLSearchParams({ from: query.get("from") || `${today().slice(0, 8)}01`, to: query.get("to") || today() });
  const kiosk = query.has("kiosk") ? query.get("kiosk") : lastKiosk();
  if (kiosk) params.set("kiosk", kiosk);
  const data = await get(`/views/books/${book}?${params}`);
  view.append(
    h("h1", {}, `${BOOKS[book]}${kiosk ? ` — kiosk ${kiosk}` : ""}`),
    h("p", { class: "sub" }, `Từ ngày ${fmtDate(params.get("from"))} đến ngày ${fmtDate(params.get("to"))}`),
    chooser(book, params, kiosk),
    exports(book, params),
    ...(book === "tracking" ? [tracking(data)] : book === "handover" ? [handover(data)] : cash(data)),
  );
}

function chooser(book, params, kiosk) {
  const el = h("form", { class: "filters no-print", "aria-label": "Chọn sổ" },
    field("Sổ", h("select", { name: "book" }, options(Object.entries(BOOKS), book))),
    field("Mã kiosk", h("input", { name: "kiosk", value: kiosk, pattern: "[A-Z0-9-]{2,31}" }), "Để trống: mọi kiosk."),
    field("Từ ngày", h("input", { name: "from", type: "date", required: true, value: params.get("from") })),
    field("Đến ngày", h("input", { name: "to", type: "date", required: true, value: params.get("to") })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Xem sổ")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`#/books?${new URLSearchParams(new FormData(el))}`);
  });
  return el;
}

function exports(book, params) {
  const save = (format, section) => async () => {
    const q = new URLSearchParams(params);
    q.set("format", format);
    if (section) q.set("section", section);
    try {
      notice(`Đã tải tệp ${await download(`/views/books/${book}?${q}`, `so-${book}.${format}`)}.`);
    } catch (error) {
      notice(error.message);
    }
  };
  const csv = book === "cash"
    ? Object.entries(CASH_CSV).map(([section, name]) => h("button", { type: "button", onclick: save("csv", section) }, `CSV (${name})`))
    : [h("button", { type: "button", onclick: save("csv") }, "Tải CSV (Excel)")];
  return h("div", { class: "toolbar no-print" }, h("button", { type: "button", onclick: save("pdf"),
    title: "Tệp PDF chưa ký số: in ra, người lập sổ và thủ trưởng ký tay vào các cột chữ ký." }, "Tải PDF để in và ký tay"),
    csv, h("button", { type: "button", onclick: () => print() }, "In trang này"));
}

function tracking(data) {
  return table(["STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Điện thoại", "Cơ quan chủ trì", "Ngày nhận", "Ngày hẹn trả",
    "Ngày trả", "Hình thức trả", "Người trả", "Người nhận"], data.lines.map((x) => [
    String(x.number), x.dossier_code, x.procedure_name || x.procedure_code, x.applicant, x.phone, x.lead_agency,
    fmtTime(x.received_at), fmtDate(x.appointment_date), fmtTime(x.delivered_at), x.delivery_method ? label(DELIVERY, x.delivery_method) : "—",
    shown(x.deliverer), shown(x.receiver),
  ]), { class: "book", id: "book" });
}

function handover(data) {
  return table(["Thời gian", "Mã hồ sơ", "Nội dung", "Bên giao", "Bên nhận", "Bên nhận xác nhận"], data.lines.map((x) => [
    fmtTime(x.at), x.dossier_code, x.item, `${x.giver_name} (${x.giver_unit})`, `${x.receiver_name} (${x.receiver_unit})`,
    x.confirmed_at ? fmtTime(x.confirmed_at) : "Chưa xác nhận",
  ]), { class: "book", id: "book" });
}

function cash(data) {
  const t = data.totals;
  return [
    h("h2", {}, "Các lần thu tiền và hồ sơ"),
    table(["Thời gian", "Kiosk", "Người thu", "Số phong bì", "Tiền dự kiến", "Tiền đếm được", "Chênh lệch"],
      data.collections.map((c) => [fmtTime(c.at), c.kiosk, `${c.collector_name} (${c.collector_unit})`, String(c.envelopes),
        fmtMoney(c.cash_expected), fmtMoney(c.cash_counted), fmtMoney(c.discrepancy)]), { class: "book", id: "book" }),
    h("h2", {}, "Lệ phí theo hồ sơ"),
    table(["Mã hồ sơ", "Kiosk", "Ngày nhận", "Lệ phí", "Tiền mặt", "Chuyển khoản", "Còn thiếu", "Nộp thừa"],
      data.dossiers.map((d) => [d.dossier_code, d.kiosk, fmtTime(d.received_at), fmtMoney(d.fee), fmtMoney(d.paid_cash),
        fmtMoney(d.paid_bank_qr), fmtMoney(d.shortfall), fmtMoney(d.excess)]), { class: "book" }),
    h("h2", {}, "Chuyển khoản QR cần đối chiếu"),
    table(["Thời gian", "Mã hồ sơ", "Mã giao dịch", "Số tiền", "Đã đối chiếu"], data.bank_qr.map((q) => [
      fmtTime(q.at), q.dossier_code, q.reference, fmtMoney(q.amount), q.reconciled ? "Có" : "Chưa"]), { class: "book" }),
    h("h2", {}, "Hoàn trả tiền"),
    table(["Thời gian", "Mã hồ sơ", "Số tiền", "Hình thức", "Lý do", "Số tham chiếu"], (data.refunds || []).map((r) => [
      fmtTime(r.at), r.dossier_code, fmtMoney(r.amount), REFUND_METHODS[r.method] || r.method,
      REFUND_REASONS[r.reason] || r.reason, r.bank_reference || "—"]), { class: "book", id: "refunds" }),
    h("h2", {}, "Tiền giao từng phòng ban khi thu tại kiosk"),
    table(["Thời gian", "Kiosk", "Lần thu", "Phòng ban", "Số hồ sơ", "Số tiền"], (data.department_cash || []).map((d) => [
      fmtTime(d.at), d.kiosk, String(d.collection_number), d.department_name, String(d.dossiers), fmtMoney(d.amount)]),
    { class: "book", id: "department-cash" }),
    h("p", { class: "totals" }, `Tổng lệ phí ${fmtMoney(t.fees)} · tiền mặt ${fmtMoney(t.paid_cash)} · chuyển khoản `
      + `${fmtMoney(t.paid_bank_qr)} · đã hoàn trả ${fmtMoney((t.refunds_cash || 0) + (t.refunds_bank_transfer || 0))}`
      + ` · tiền chưa thu khỏi kiosk ${fmtMoney(t.cash_not_collected)} · chênh lệch ${fmtMoney(t.discrepancy)}`),
  ];
}
