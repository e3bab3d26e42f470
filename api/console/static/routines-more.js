// The kiosk crew's other routines: envelope batches with a printable sheet of Code 128 labels, tray service, and
// overdue results (the citizens to call, the outcome of each call, and the pull-back when no tray is free).
import { ApiError, caughtUp, get, logHead, post } from "./api.js";
import { authHeaders } from "./auth.js";
import { go, notice } from "./app.js";
import { field, form, h, label, options, ROLES, table, TRAY } from "./ui.js";
import { printOnly } from "./workday.js";

const OUTCOMES = [["will_come", "Công dân hẹn đến nhận"], ["asked_counter", "Công dân xin nhận tại quầy"],
  ["no_answer", "Không liên lạc được"], ["wrong_number", "Sai số điện thoại"]];
const SUGGESTED = { keep: "Để lại trong kiosk", pull_back_to_one_stop: "Thu hồi, giao Bộ phận Một cửa",
  pull_back_to_police: "Thu hồi, giao Công an" };

// Barcodes of a batch: prefix + running number, e.g. Q6PB000201 … Q6PB000300.
function batch(prefix, first, count) {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(first + i).padStart(6, "0")}`);
}

export function envelopeCard(kiosk) {
  const sheet = h("div", { class: "label-sheet", id: "label-sheet", "aria-label": "Tờ nhãn mã vạch" });
  const sheetCard = h("section", { class: "card sheet", hidden: true, "aria-labelledby": "sheet-title" },
    h("h2", { id: "sheet-title" }, "Tờ nhãn phong bì"), sheet);
  const path = `/kiosks/${encodeURIComponent(kiosk.key)}`;
  let shown = [];
  const el = h("section", { class: "card", "aria-labelledby": "envelopes-title" }, h("h2", { id: "envelopes-title" }, "Phong bì"),
    h("p", {}, `Phong bì còn dùng được: `, h("strong", { id: "unused-envelopes" }, String(kiosk.unused_envelopes))),
    form({ "aria-label": "In nhãn phong bì" }, [
      field("Tiền tố mã", h("input", { name: "prefix", required: true, pattern: "[A-Z0-9]{2,20}", value: `${kiosk.key.replace(/-/g, "").slice(0, 4)}PB` })),
      field("Số bắt đầu", h("input", { name: "first", type: "number", min: 1, max: 999999, required: true })),
      field("Số lượng", h("input", { name: "count", type: "number", min: 1, max: 300, required: true, value: "30" })),
    ], "Xem tờ nhãn", async (data) => {
      shown = batch(String(data.get("prefix")), Number(data.get("first")), Number(data.get("count")));
      const labels = await post(`${path}/envelope-labels`, { barcodes: shown });
      sheet.replaceChildren(...labels.map((x) => h("figure", { class: "label" },
        h("img", { src: `data:image/svg+xml;base64,${x.svg_base64}`, alt: `Mã vạch ${x.barcode}` }), h("figcaption", {}, x.barcode))));
      sheetCard.hidden = false;
      register.hidden = false;
    }));
  const register = h("div", { class: "actions", hidden: true },
    h("button", { type: "button", onclick: () => printOnly(sheetCard) }, "In tờ nhãn"), " ",
    h("button", { type: "button", id: "register-envelopes", onclick: async (event) => {
      event.target.disabled = true;
      try {
        const written = await post(`${path}/envelope-batches`, { barcodes: shown });
        await caughtUp("dossiers", written.position);
        notice(`Đã đăng ký ${shown.length} phong bì: kiosk nhận các mã này từ bây giờ.`);
        go(location.hash);
      } catch (failure) {
        notice(failure.message);
        event.target.disabled = false;
      }
    } }, "Đăng ký lô phong bì đã dán nhãn"));
  el.append(register);
  return [el, sheetCard];
}

export function trayCard(kiosk) {
  const path = `/kiosks/${encodeURIComponent(kiosk.key)}`;
  const number = h("select", { name: "number", required: true },
    options(kiosk.trays.map((t) => [String(t.number), `Khay ${t.number} — ${label(TRAY, t.status)}`])));
  const out = kiosk.trays.filter((t) => t.status === "out_of_service").map((t) => t.number);
  const act = (inService) => async (data) => {
    const written = await post(`${path}/trays/${data.get("number")}/service`, { in_service: inService, reason: String(data.get("reason") || "").trim() });
    await caughtUp("trays", written.position);
    notice(inService ? `Khay ${data.get("number")} hoạt động lại.` : `Đã ngừng sử dụng khay ${data.get("number")}.`);
    go(location.hash);
  };
  return h("section", { class: "card", "aria-labelledby": "trays-title" }, h("h2", { id: "trays-title" }, "Bảo trì khay"),
    h("p", { id: "out-of-service" }, out.length ? `Đang ngừng sử dụng: khay ${out.join(", ")}.` : "Tất cả khay đang hoạt động."),
    form({ "aria-label": "Ngừng sử dụng khay" }, [field("Khay", number),
      field("Lý do", h("input", { name: "reason", required: true, maxlength: 500, placeholder: "Ví dụ: cửa khay bị kẹt" }))],
    "Ngừng sử dụng khay", act(false)),
    out.length ? form({ "aria-label": "Cho khay hoạt động lại" }, [field("Khay đã sửa", h("select", { name: "number", required: true },
      options(out.map((n) => [String(n), `Khay ${n}`]))))], "Cho hoạt động lại", act(true)) : null);
}

// The phone of an overdue dossier is read only on demand, with the purpose recorded in the citizen's access log.
async function phoneOf(code) {
  const response = await fetch(`/dossiers/${encodeURIComponent(code)}`, { headers: { Accept: "application/json", ...authHeaders(),
    "X-Purpose": encodeURIComponent("liên hệ công dân nhận kết quả quá hạn") } });
  if (!response.ok) throw new ApiError(response.status, "read", "Không xem được số điện thoại.");
  const d = await response.json();
  return { phone: d.applicant.phone || "không có", name: d.applicant.name, version: d.version };
}

export async function overdueCard(kiosk) {
  const key = encodeURIComponent(kiosk.key);
  const list = await get(`/views/kiosks/${key}/overdue`);
  const rows = list.items.map((x) => {
    const contact = h("span", {});
    const show = h("button", { type: "button", class: "secondary", onclick: async () => {
      const who = await phoneOf(x.dossier_code);
      contact.replaceChildren(`${who.name}: ${who.phone} `, contactForm(x.dossier_code, who.version));
      show.remove();
    } }, "Xem số để gọi");
    return [String(x.tray), h("a", { href: `#/dossiers/${encodeURIComponent(x.dossier_code)}` }, x.dossier_code),
      x.procedure_name || x.procedure_code, x.applicant, String(x.days_since_notification),
      SUGGESTED[x.suggested_action] || "—", h("div", { "data-contact": x.dossier_code }, show, contact)];
  });
  return h("section", { class: "card", "aria-labelledby": "overdue-title" }, h("h2", { id: "overdue-title" }, "Kết quả quá hạn chưa nhận"),
    h("p", {}, `Quá ${list.limit_days} ngày làm việc kể từ khi nhắn tin. `, list.kiosk_full
      ? h("strong", { class: "badge danger" }, "Kiosk đã hết khay trống: cần thu hồi.") : `Còn ${list.free_trays} khay trống: kết quả được để lại trong kiosk.`),
    table(["Khay", "Mã hồ sơ", "Thủ tục", "Người nộp", "Số ngày", "Đề xuất", "Liên hệ công dân"], rows, { class: "list", id: "overdue" }),
    list.kiosk_full && list.items.length ? await pullBackForm(kiosk) : null);
}

function contactForm(code, version) {
  return form({ "aria-label": `Kết quả liên hệ hồ sơ ${code}`, class: "inline" }, [
    field("Kết quả liên hệ", h("select", { name: "outcome", required: true }, options(OUTCOMES)))], "Ghi kết quả", async (data, el) => {
    await post(`/counter/dossiers/${encodeURIComponent(code)}/contacts`, { outcome: data.get("outcome"), expected_version: version });
    el.replaceWith(h("span", { class: "ok" }, `Đã ghi: ${OUTCOMES.find(([v]) => v === data.get("outcome"))[1]}`));
  });
}

async function pullBackForm(kiosk) {
  const people = await get(`/kiosks/${encodeURIComponent(kiosk.key)}/pull-back-receivers`);
  const pick = (name, role) => h("select", { name, required: true }, h("option", { value: "" }, "— Chọn người nhận —"),
    options(people.filter((x) => x.role === role).map((x) => [x.account_id, `${x.name} — ${label(ROLES, x.role)}, ${x.unit}`])));
  return form({ "aria-label": "Thu hồi kết quả quá hạn", id: "pull-back" }, [
    field("Cán bộ Một cửa nhận kết quả của huyện", pick("one_stop", "reception_officer")),
    field("Cán bộ Công an nhận thẻ CCCD", pick("police", "police_officer"))], "Thu hồi kết quả quá hạn", async (data) => {
    const pulled = await post(`/kiosks/${encodeURIComponent(kiosk.key)}/overdue/pull-back`, { one_stop: data.get("one_stop"), police: data.get("police") });
    await caughtUp("trays", await logHead());
    notice(`Đã thu hồi ${pulled.length} kết quả và ghi sổ giao nhận.`);
    go(location.hash);
  });
}
