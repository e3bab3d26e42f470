// Tra cứu hồ sơ: by dossier code (any case and spacing), or by the citizen's name (accents optional), ID number or
// phone; a search by personal data asks for its purpose, which the server records in each found citizen's access log.
import { post } from "../api.js";
import { field, fmtDate, fmtTime, form, h, label, options, STATUS, table } from "../ui.js";
import { useStyles } from "../workday.js";

export const page = { route: "search", title: "Tra cứu", needs: ["POST /search"], menu: true };

const KINDS = [["code", "Mã hồ sơ"], ["name", "Họ tên công dân"], ["id_number", "Số CCCD"], ["phone", "Số điện thoại"]];
const HINTS = { code: "Ví dụ: h29.06 260520 0001 (không phân biệt hoa thường, khoảng trắng).",
  name: "Gõ có dấu hoặc không dấu; tìm hồ sơ có đủ các từ đã gõ.", id_number: "12 chữ số.", phone: "10 chữ số, hoặc +84…" };

export async function render(view, { query }) {
  useStyles();
  const kind = h("select", { name: "kind" }, options(KINDS, query.get("kind") || "code"));
  const text = h("input", { name: "text", required: true, maxlength: 200, autocomplete: "off", autofocus: true });
  const hint = h("small", { class: "hint", id: "search-hint" });
  const purpose = h("input", { name: "purpose", maxlength: 200, autocomplete: "off" });
  const purposeField = field("Mục đích tra cứu", purpose, "Bắt buộc khi tra cứu theo thông tin cá nhân; được ghi vào nhật ký truy cập của công dân.");
  const results = h("section", { class: "card", id: "results", "aria-live": "polite", hidden: true });
  const sync = () => {
    const personal = kind.value !== "code";
    purposeField.hidden = !personal;
    purpose.required = personal;
    hint.textContent = HINTS[kind.value];
  };
  kind.addEventListener("change", sync);
  sync();
  view.append(h("h1", {}, "Tra cứu hồ sơ"),
    h("section", { class: "card narrow-wide" }, form({ "aria-label": "Tra cứu hồ sơ", class: "filters" }, [
      field("Tra cứu theo", kind), h("div", { class: "field" }, h("label", { for: "search-text" }, "Nội dung tra cứu"),
        Object.assign(text, { id: "search-text", "aria-describedby": "search-hint" }), hint), purposeField,
    ], "Tra cứu", async (data) => {
      const found = await post("/search", { kind: data.get("kind"), text: String(data.get("text")).trim(),
        purpose: String(data.get("purpose") || "").trim() });
      results.hidden = false;
      results.replaceChildren(h("h2", {}, `Tìm thấy ${found.length} hồ sơ`), table(
        ["Mã hồ sơ", "Thủ tục", "Người nộp", "Trạng thái", "Ngày nhận", "Hẹn trả"],
        found.map((d) => [h("a", { href: `#/dossiers/${encodeURIComponent(d.code)}` }, d.code), d.procedure_name || d.procedure_code,
          d.applicant, label(STATUS, d.status), fmtTime(d.received_at), fmtDate(d.due_on)]), { class: "list", id: "found" }));
    })),
    results);
}
