// Quầy một cửa: receive a walk-in paper dossier (procedure picker with search, components from the catalogue, the
// applicant from the CCCD QR a USB scanner types into the form), then the dossier's desk (counter-desk.js).
import { caughtUp, catalogue, get, post } from "../api.js";
import { go, notice } from "../app.js";
import { dossierDesk } from "../counter-desk.js";
import { field, fmtMoney, form, h, options } from "../ui.js";
import { normaliseCode, useStyles } from "../workday.js";

export const page = { route: "counter", title: "Quầy một cửa", needs: ["POST /dossiers", "POST /dossiers/{code}/fee",
  "POST /dossiers/{code}/payments", "POST /dossiers/{code}/receipt-form"], menu: true };

const FORMS = { original: "bản chính", copy: "bản sao", certified_copy: "bản sao chứng thực", electronic: "bản điện tử" };
// Accent-free lower case, so "ho tich" finds "Hộ tịch".
const plain = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

export async function render(view, { args, session }) {
  useStyles();
  const ref = await catalogue();
  if (args[0]) {
    await dossierDesk(view, normaliseCode(args[0]), ref, session);
    return;
  }
  view.append(h("h1", {}, "Quầy tiếp nhận và trả kết quả"),
    h("div", { class: "columns" }, receiveCard(ref, session), openCard()));
}

function openCard() {
  const input = h("input", { name: "code", required: true, autocomplete: "off", placeholder: "H29.06-260520-0001" });
  return h("section", { class: "card", "aria-labelledby": "open-title" }, h("h2", { id: "open-title" }, "Hồ sơ đã có"),
    form({ "aria-label": "Mở hồ sơ tại quầy" }, [field("Mã hồ sơ (quét hoặc gõ)", input,
      "Dùng để thu lệ phí, in phiếu, nhận bổ sung, rút hồ sơ, trả kết quả.")], "Mở hồ sơ", async (data) => {
      go(`#/counter/${encodeURIComponent(normaliseCode(data.get("code")))}`);
    }));
}

function receiveCard(ref, session) {
  const mine = ref.procedures.filter((p) => p.agency === session.account.agency || p.agency.startsWith(`${session.account.agency}.`));
  const search = h("input", { type: "search", autocomplete: "off", autofocus: true, placeholder: "Ví dụ: khai sinh, chứng thực" });
  const picker = h("select", { name: "procedure_code", required: true, size: 6 });
  const list = () => {
    const words = plain(search.value).split(/\s+/).filter(Boolean);
    const found = mine.filter((p) => words.every((w) => plain(`${p.name} ${p.code}`).includes(w)));
    picker.replaceChildren(...options(found.map((p) => [p.code, `${p.name} (${p.code})`])));
  };
  search.addEventListener("input", list);
  list();
  const components = h("fieldset", { id: "components" }, h("legend", {}, "Thành phần hồ sơ đã nhận"), h("p", { class: "hint" }, "Chọn thủ tục trước."));
  const fee = h("p", { id: "procedure-fee", class: "hint" });
  picker.addEventListener("change", async () => {
    const p = await get(`/counter/procedures/${encodeURIComponent(picker.value)}`);
    fee.textContent = `Lệ phí ${fmtMoney(p.fee)} · giải quyết trong ${p.processing_days} ngày làm việc`;
    components.replaceChildren(h("legend", {}, "Thành phần hồ sơ đã nhận"), ...p.components.map((c, i) => h("div", { class: "check" },
      h("input", { type: "checkbox", id: `component-${i}`, name: "component", value: String(i), "data-component": JSON.stringify(c) }),
      h("label", { for: `component-${i}` }, `${c.name} (${FORMS[c.form] || c.form}, ${c.count} bản)`))));
  });
  const applicant = applicantFields();
  return h("section", { class: "card", "aria-labelledby": "receive-title" }, h("h2", { id: "receive-title" }, "Tiếp nhận hồ sơ giấy"),
    form({ "aria-label": "Tiếp nhận hồ sơ giấy", id: "receive" }, [
      field("Tìm thủ tục (tên hoặc mã)", search), field("Thủ tục", picker), fee, components, applicant.fields,
      field("Hình thức nộp", h("select", { name: "channel" }, options([["counter", "Trực tiếp tại quầy"], ["postal", "Qua bưu chính"]]))),
    ], "Tiếp nhận hồ sơ", async (data, el) => {
      const ticked = [...el.querySelectorAll("input[name=component]:checked")].map((box) => JSON.parse(box.dataset.component));
      if (!ticked.length) throw new Error("Chưa đánh dấu thành phần hồ sơ nào đã nhận.");
      const written = await post("/dossiers", { procedure_code: data.get("procedure_code"), channel: data.get("channel"),
        applicant: applicant.value(data), components: ticked });
      await caughtUp("dossiers", written.position);
      notice(`Đã tiếp nhận hồ sơ ${written.code}. Tiếp theo: xác định lệ phí, thu tiền và in phiếu tiếp nhận.`);
      go(`#/counter/${encodeURIComponent(written.code)}`);
    }));
}

// The applicant: a USB scanner types the CCCD QR payload and Enter into the first field; the server's strict parser
// reads it and the fields fill in (they can also be typed).
function applicantFields() {
  const input = (name, attrs = {}) => h("input", { name, autocomplete: "off", ...attrs });
  const controls = {
    id_number: input("id_number", { required: true, pattern: "\\d{12}", inputmode: "numeric", maxlength: 12 }),
    name: input("name", { required: true, maxlength: 200 }),
    date_of_birth: input("date_of_birth", { type: "date" }),
    address: input("address", { maxlength: 500 }),
    phone: input("phone", { pattern: "0[35789]\\d{8}", inputmode: "tel", maxlength: 10 }),
    old_id_number: input("old_id_number", { pattern: "\\d{9}", inputmode: "numeric", maxlength: 9 }),  // issue [14]
  };
  const qr = input("qr", { maxlength: 600, placeholder: "Đặt con trỏ vào đây rồi quét mã QR trên thẻ" });
  const status = h("p", { class: "hint", role: "status" });
  qr.addEventListener("keydown", async (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // the scanner's Enter must not submit the form
    try {
      const who = await post("/counter/identity", { qr_payload: qr.value.trim() });
      for (const name of ["id_number", "name", "date_of_birth", "address"]) controls[name].value = who[name] || "";
      status.textContent = "Đã đọc thông tin từ CCCD. Vui lòng nhập số điện thoại liên hệ.";
      controls.phone.focus();
    } catch (failure) {
      status.textContent = `Không đọc được mã QR: ${failure.message}`;
    } finally {
      qr.value = "";
    }
  });
  return {
    fields: h("fieldset", {}, h("legend", {}, "Người nộp hồ sơ"), field("Quét QR căn cước (CCCD)", qr), status,
      field("Số CCCD", controls.id_number), field("Họ và tên", controls.name), field("Ngày sinh", controls.date_of_birth),
      field("Địa chỉ", controls.address), field("Số điện thoại", controls.phone, "10 chữ số; để nhận tin nhắn khi có kết quả."),
      field("Số CMND 9 số", controls.old_id_number, "Chỉ khi công dân chưa có thẻ Căn cước gắn chip: để nhận kết quả tại kiosk bằng CMND.")),
    value: (data) => Object.fromEntries(["id_number", "name", "date_of_birth", "address", "phone", "old_id_number"]
      .map((name) => [name, String(data.get(name) || "").trim()]).filter(([, v]) => v)),
  };
}
