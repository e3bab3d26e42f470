// Hàng đợi: counts per queue, then one queue's page with filters, due-date sort and the overdue flag.
import { catalogue, get } from "../api.js";
import { go } from "../app.js";
import { CHANNELS, label, QUEUES, STATUS } from "../labels.js";
import { field, fmtDate, fmtTime, h, options, table } from "../ui.js";

export const page = { route: "queues", title: "Hàng đợi hồ sơ", needs: ["GET /views/queues", "GET /views/queues/{queue}"], menu: true };
const PAGE_SIZE = 20;

export async function render(view, { query }) {
  const queue = QUEUES[query.get("queue")] ? query.get("queue") : "new_online";  // a mistyped link opens the first queue
  const page = Number(query.get("page") || 1);
  const filters = new URLSearchParams();
  for (const key of ["agency", "procedure", "channel", "department", "overdue", "order"]) {
    if (query.get(key)) filters.set(key, query.get(key));
  }
  const agency = query.get("agency") || "";
  const scope = new URLSearchParams([...filters].filter(([k]) => k === "agency" || k === "department"));
  const [counts, ref, result] = await Promise.all([
    get(`/views/queues?${scope}`), catalogue(),
    get(`/views/queues/${queue}?${filters}&page=${page}&page_size=${PAGE_SIZE}`),
  ]);
  const link = (changes) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) (v ? q.set(k, v) : q.delete(k));
    return `#/queues?${q}`;
  };
  view.append(
    h("h1", {}, "Hàng đợi hồ sơ"),
    h("nav", { class: "queues", "aria-label": "Hàng đợi" }, Object.keys(QUEUES).map((q) =>
      h("a", { href: link({ queue: q, page: null }), "aria-current": q === queue ? "page" : null, "data-queue": q },
        label(QUEUES, q), " ", h("span", { class: "count" }, String(counts[q] ?? 0))))),
    filterForm(query, ref, link, agency),
    h("h2", {}, `${label(QUEUES, queue)} — ${result.total} hồ sơ`),
    table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Kênh", "Trạng thái", "Ngày nhận", "Hẹn trả", "Còn lại"],
      result.items.map((d) => [
        h("a", { href: `#/dossiers/${encodeURIComponent(d.code)}` }, d.code), d.procedure_name || d.procedure_code,
        d.applicant, label(CHANNELS, d.channel), label(STATUS, d.status), fmtTime(d.received_at), fmtDate(d.due_on),
        d.overdue ? h("span", { class: "badge danger" }, `Quá hạn ${-d.days_left} ngày`)
          : d.days_left === null ? "—" : `${d.days_left} ngày làm việc`,
      ]), { class: "list", "aria-label": label(QUEUES, queue) }),
    pager(result, page, link),
  );
}

function filterForm(query, ref, link, agency) {
  const select = (name, pairs) => h("select", { name }, options([["", "Tất cả"], ...pairs], query.get(name) || ""));
  const controls = [
    field("Cơ quan", select("agency", ref.agencies.map((a) => [a.code, a.name]))),
    field("Phòng ban", select("department", ref.departments.filter((d) => !agency || d.agency === agency)
      .map((d) => [d.code, d.name]))),
    field("Thủ tục", select("procedure", ref.procedures.map((p) => [p.code, p.name]))),
    field("Kênh", select("channel", Object.entries(CHANNELS))),
    field("Hạn", select("overdue", [["true", "Chỉ hồ sơ quá hạn"], ["false", "Chưa quá hạn"]])),
    field("Sắp xếp", h("select", { name: "order" }, options([["due_on", "Hạn trả sớm nhất trước"],
      ["-due_on", "Hạn trả muộn nhất trước"], ["received_at", "Nhận sớm nhất trước"],
      ["-received_at", "Nhận muộn nhất trước"]], query.get("order") || "due_on"))),
  ];
  const el = h("form", { class: "filters", "aria-label": "Lọc hàng đợi" }, controls,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Lọc")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(el));
    go(link({ ...data, page: null }));
  });
  return el;
}

function pager(result, page, link) {
  const pages = Math.max(1, Math.ceil(result.total / result.page_size));
  return h("nav", { class: "pager", "aria-label": "Phân trang" },
    page > 1 ? h("a", { href: link({ page: page - 1 }) }, "← Trang trước") : null,
    h("span", {}, `Trang ${page}/${pages}`),
    page < pages ? h("a", { href: link({ page: page + 1 }) }, "Trang sau →") : null);
}
