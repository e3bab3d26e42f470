// Kiểm tra: the full history of a dossier, kiosk, tray (Q6-01:5) or vault as a timeline, and its state as of a
// chosen instant (Vietnam time). #/audit/<kind>/<key>?at=<RFC 3339>. The state picker is for auditors only.
import { get, text } from "../api.js";
import { go } from "../app.js";
import { can } from "../auth.js";
import { CHANNELS, label, shown, STATUS, TRAY } from "../labels.js";
import { field, fmtDate, fmtMoney, fmtTime, h, normaliseCode, options, table } from "../ui.js";

export const page = { route: "audit", title: "Kiểm tra lịch sử", needs: ["GET /audit/{kind}/{key}/history"], menu: true };

const KINDS = { dossier: "Hồ sơ", kiosk: "Kiosk", tray: "Khay", vault: "Kho dữ liệu" };
const HINTS = { dossier: "H29.06-260520-0001", kiosk: "Q6-01", tray: "Q6-01:5", vault: "citizen:<số định danh>" };

export async function render(view, { args, query, session }) {
  const [kind, key] = args;
  if (!KINDS[kind] || !key) {
    view.append(h("h1", {}, "Kiểm tra lịch sử"), chooser(kind));
    return;
  }
  const base = `/audit/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`;
  const history = await get(`${base}/history`);
  const auditor = can("GET /audit/{kind}/{key}/as-of");  // the state at any instant: auditors only, by the API's rules
  const at = query.get("at");
  // A refused instant (future, before the object existed) is shown in place of the state; the history stays.
  const state = auditor && at ? await get(`${base}/as-of?at=${encodeURIComponent(at)}`).catch((error) => error) : null;
  const pick = (iso) => go(`#/audit/${kind}/${encodeURIComponent(key)}?at=${encodeURIComponent(iso)}`);
  view.append(
    h("h1", {}, `Kiểm tra: ${KINDS[kind]} ${key}`),
    h("p", { class: "actions no-print" },
      h("button", { type: "button", onclick: () => printable(`${base}/history?format=html`) }, "Bản in lịch sử"), " ",
      h("a", { href: "#/audit" }, "Chọn đối tượng khác")),
    auditor ? picker(at, pick) : null,
    state instanceof Error ? h("p", { class: "error", role: "alert", id: "audit-state" }, state.message)
      : state ? stateCard(kind, state) : null,
    h("section", { class: "card", "aria-labelledby": "audit-history-title" },
      h("h2", { id: "audit-history-title" }, `Lịch sử đầy đủ (${history.entries.length} sự kiện)`),
      table(["STT", "Thời điểm", "Người thực hiện", "Vai trò", "Sự kiện", "Nội dung", "Vị trí", ""],
        history.entries.map((e, n) => [String(n + 1), h("time", { datetime: e.at }, fmtTime(e.at)), shown(e.account_id),
          shown(e.role_label), shown(e.label), shown(e.summary), e.position === null ? "—" : String(e.position),
          auditor ? h("button", { type: "button", class: "link", onclick: () => pick(e.at) }, "Trạng thái lúc này") : ""]),
        { class: "list", id: "audit-history" })),
  );
}

function chooser(kind) {
  const key = h("input", { name: "key", required: true, autofocus: true, placeholder: HINTS[kind] || HINTS.dossier });
  const select = h("select", { name: "kind", onchange: () => { key.placeholder = HINTS[select.value]; } },
    options(Object.entries(KINDS), kind || "dossier"));
  const el = h("form", { class: "card narrow", "aria-label": "Chọn đối tượng kiểm tra" },
    field("Loại", select), field("Mã", key, "Khay: <mã kiosk>:<số khay>; kho dữ liệu: citizen:<số định danh>."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Xem lịch sử")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    // Codes are upper case without spaces; a vault key (citizen:<số>) and a tray (Q6-01:5) are normalised the same way.
    const typed = select.value === "vault" ? key.value.trim() : normaliseCode(key.value);
    go(`#/audit/${select.value}/${encodeURIComponent(typed)}`);
  });
  return el;
}

// A datetime-local value is Vietnam wall-clock time: send it with the +07:00 offset.
function picker(at, pick) {
  const local = at ? new Date(at).toLocaleString("sv-SE", { timeZone: "Asia/Ho_Chi_Minh" }).replace(" ", "T") : "";
  const input = h("input", { name: "at", type: "datetime-local", step: 1, required: true, value: local });
  const el = h("form", { class: "filters no-print", "aria-label": "Trạng thái tại thời điểm" },
    field("Trạng thái tại thời điểm (giờ Việt Nam)", input),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Xem trạng thái")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.length === 16 ? `${input.value}:00` : input.value;
    pick(`${value}+07:00`);
  });
  return el;
}

function stateCard(kind, s) {
  const later = s.later_events ? `; sau đó còn ${s.later_events} sự kiện` : "; chưa có sự kiện nào sau đó";
  return h("section", { class: "card", id: "audit-state", "aria-labelledby": "audit-state-title" },
    h("h2", { id: "audit-state-title" }, `Trạng thái lúc ${fmtTime(s.at)}`),
    h("p", { class: "hint" }, `Phiên bản ${s.version}${later}.`), summary(kind, s.state));
}

function summary(kind, x) {
  const rows = {
    dossier: () => [["Trạng thái", label(STATUS, x.status)], ["Kênh nộp", x.channel && label(CHANNELS, x.channel)],
      ["Ngày hẹn trả", x.due_on && fmtDate(x.due_on)], ["Lệ phí", `${fmtMoney(x.fee)} · đã nộp ${fmtMoney(x.paid)}`],
      ["Phòng xử lý", x.department], ["Đang giữ hồ sơ giấy", x.holder ? `${x.holder.name} (${x.holder.unit})` : null],
      ["Kết quả", x.result]],
    kiosk: () => [["Tiền trong két", fmtMoney(x.cash_expected)], ["Phong bì trong thùng", String(x.bin.length)],
      ["Khay có hồ sơ", String(x.trays.filter((t) => t.status === "loaded").length)], ["Phong bì chưa dùng", String(x.unused_envelopes)]],
    tray: () => [["Tình trạng", label(TRAY, x.status)], ["Hồ sơ", x.dossier_code], ["Nạp lúc", x.loaded_at && fmtTime(x.loaded_at)]],
    vault: () => [["Số giấy tờ", String(x.documents.length)]],
  }[kind]();
  const list = h("dl", { class: "details" }, rows.filter(([, v]) => v).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  if (kind !== "kiosk") return list;
  return [list, h("ol", { class: "trays", "aria-label": "Khay tại thời điểm này" }, x.trays.map((t) =>
    h("li", { class: `tray tray-${t.status}`, "data-tray": t.number },
      h("span", { role: "img", "aria-label": `Khay ${t.number}: ${label(TRAY, t.status)}${t.dossier_code ? `, hồ sơ ${t.dossier_code}` : ""}` },
        h("b", {}, String(t.number)), t.dossier_code ? h("small", {}, t.dossier_code) : null))))];
}

// The printable page needs the bearer token, so it is fetched and opened from memory rather than linked.
async function printable(path) {
  const url = URL.createObjectURL(new Blob([await text(path)], { type: "text/html" }));
  open(url, "_blank");
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
