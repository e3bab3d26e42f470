// One dossier at the counter: fee and payment, the signed receipt form, supplements, withdrawal, delivery with any
// shortfall paid and any excess refunded, and rejection (confirmed) with its printed notice. Each form sends the
// version it was shown; the page reloads once the read models hold the write.
import { caughtUp, download, get, post } from "./api.js";
import { go, notice } from "./app.js";
import { field, fmtDate, fmtMoney, fmtTime, form, h, label, options, STATUS } from "./ui.js";
import { confirmDialog, postPdf, printOnly } from "./workday.js";

const REFUNDABLE = new Set(["result_issued", "delivered", "rated", "withdrawn", "rejected"]);
const ENDED = new Set(["withdrawn", "rejected"]); // the dossier will not be resolved: everything paid goes back

export async function dossierDesk(view, code, ref, session) {
  const path = `/dossiers/${encodeURIComponent(code)}`;
  const d = await get(path);
  const procedure = ref.procedures.find((p) => p.code === d.procedure_code);
  const done = async (written, message) => {
    await caughtUp("dossiers", written.position);
    notice(message);
    go(location.hash);
  };
  const can = (action) => d.allowed_actions.includes(action);
  const cards = [
    can("assess_fee") && card("fee", "Xác định lệ phí", feeForm(d, path, done)),
    can("record_payment") && d.shortfall > 0 && card("payment", "Thu lệ phí", paymentForm(d, path, done)),
    ["counter", "postal"].includes(d.channel) && card("receipt", "Phiếu tiếp nhận và hẹn trả kết quả", receiptForm(d, path)),
    can("provide_supplement") && card("supplement", "Nhận hồ sơ bổ sung", supplementForm(d, path, done)),
    can("request_supplement") && card("supplement-request", "Yêu cầu bổ sung", supplementRequestForm(d, path, done)),
    can("request_withdrawal") && card("withdrawal-request", "Công dân xin rút hồ sơ", reasonForm(d, `${path}/withdrawal-request`,
      "Lý do xin rút", "Ghi nhận xin rút", done, `Đã ghi nhận đơn xin rút hồ sơ ${d.code}.`)),
    can("withdraw") && card("withdraw", "Rút hồ sơ", form({ "aria-label": "Rút hồ sơ" }, [], "Trả lại hồ sơ cho công dân", async () =>
      done(await post(`${path}/withdraw`, { expected_version: d.version }), `Đã rút hồ sơ ${d.code}.`))),
    d.status === "result_issued" && card("delivery", "Trả kết quả tại quầy", deliveryForm(d, path, done)),
    d.excess > 0 && REFUNDABLE.has(d.status) && card("refund", "Hoàn trả tiền nộp thừa", refundForm(d, done)),
    d.paid > 0 && ENDED.has(d.status) && card("fee-refund", "Hoàn trả lệ phí", feeRefundForm(d, done)),
    d.paid > 0 && card("fee-receipts", "Biên lai điện tử", await feeReceipts(d)),
    can("reject") && card("reject", "Từ chối hồ sơ", rejectForm(d, path, done)),
  ].filter(Boolean);
  view.append(
    h("h1", {}, `Hồ sơ ${d.code} tại quầy `, h("span", { class: `badge status-${d.status}`, id: "status" }, label(STATUS, d.status))),
    h("div", { class: "columns" },
      h("section", { class: "card", "aria-labelledby": "summary-title" }, h("h2", { id: "summary-title" }, "Thông tin"),
        summary(d, procedure), h("p", {}, h("a", { href: `#/dossiers/${encodeURIComponent(d.code)}` }, "Xem đầy đủ và lịch sử xử lý"),
          " · ", h("a", { href: "#/counter" }, "Tiếp nhận hồ sơ khác"))),
      h("div", {}, cards.length ? cards : h("p", { class: "card" }, "Không còn việc gì tại quầy cho hồ sơ này."))),
    d.status === "rejected" ? rejectionNotice(d, procedure, ref, session) : null,
  );
}

const card = (name, title, body) => h("section", { class: "card action", "data-action": name, "aria-label": title }, h("h2", {}, title), body);

function summary(d, procedure) {
  const rows = [["Thủ tục", procedure ? procedure.name : d.procedure_code], ["Người nộp", d.applicant.name],
    ["Số CCCD", d.applicant.id_number], ["Điện thoại", d.applicant.phone], ["Nhận lúc", fmtTime(d.received_at)],
    ["Hẹn trả", fmtDate(d.due_on)], ["Lệ phí", fmtMoney(d.fee)], ["Đã nộp", fmtMoney(d.paid)],
    ["Còn thiếu", d.shortfall ? fmtMoney(d.shortfall) : null], ["Nộp thừa", d.excess ? fmtMoney(d.excess) : null],
    ["Kết quả", d.result], ["Lý do", d.reason], ["Cần bổ sung", d.supplement_items.join("; ") || null]];
  return h("dl", { class: "details", id: "money" }, rows.filter(([, v]) => v).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

const amount = (name, value, required = true) => h("input", { name, type: "number", min: 0, max: 100000000, step: 1000, required,
  value: value ? String(value) : "" });

function feeForm(d, path, done) {
  return form({ "aria-label": "Xác định lệ phí" }, [field("Lệ phí (đồng)", amount("amount", d.fee, false),
    "Để trống thì lấy lệ phí theo danh mục thủ tục.")], "Ghi lệ phí", async (data) => {
    const body = { expected_version: d.version };
    if (String(data.get("amount")).trim()) body.amount = Number(data.get("amount"));
    await done(await post(`${path}/fee`, body), `Đã xác định lệ phí hồ sơ ${d.code}.`);
  });
}

function paymentForm(d, path, done) {
  const reference = h("input", { name: "reference", maxlength: 100 });
  return form({ "aria-label": "Thu lệ phí" }, [field("Số tiền nhận (đồng)", amount("amount", d.shortfall)),
    field("Hình thức", h("select", { name: "method" }, options([["cash", "Tiền mặt"], ["bank_qr", "Chuyển khoản QR"]]))),
    field("Mã giao dịch (chuyển khoản)", reference, "Không bắt buộc với tiền mặt.")], "Ghi nhận đã thu", async (data) => {
    const body = { method: data.get("method"), amount: Number(data.get("amount")), expected_version: d.version };
    if (String(data.get("reference")).trim()) body.reference = String(data.get("reference")).trim();
    await done(await post(`${path}/payments`, body), `Đã thu ${fmtMoney(body.amount)} cho hồ sơ ${d.code}.`);
  });
}

// The receipt form is signed with the officer's own key on the server; the PDF opens in a new tab to print.
function receiptForm(d, path) {
  const result = h("p", { id: "receipt-result", role: "status" });
  return [form({ "aria-label": "Ký số và in phiếu tiếp nhận" }, [], "Ký số và in phiếu tiếp nhận", async () => {
    const pdf = await postPdf(`${path}/receipt-form`, `phieu-tiep-nhan_${d.code}.pdf`);
    result.replaceChildren("Đã ký số phiếu tiếp nhận. ",
      h("a", { href: pdf.url, target: "_blank", rel: "noopener", download: pdf.name, id: "receipt-link" }, "Mở phiếu (PDF) để in"));
    result.dataset.sha256 = pdf.sha256;
    open(pdf.url, "_blank", "noopener");
  }), result];
}

function supplementForm(d, path, done) {
  const items = h("textarea", { name: "items", rows: 3, required: true, maxlength: 2000 }, d.supplement_items.join("\n"));
  return form({ "aria-label": "Nhận hồ sơ bổ sung" }, [field("Giấy tờ nhận bổ sung", items, "Mỗi dòng một giấy tờ.")],
    "Ghi nhận đã bổ sung", async (data) => {
      const components = String(data.get("items")).split("\n").map((x) => x.trim()).filter(Boolean)
        .map((name) => ({ name, form: "copy", count: 1 }));
      await done(await post(`${path}/supplement`, { components, expected_version: d.version }),
        `Đã nhận bổ sung hồ sơ ${d.code}; ngày hẹn trả được tính lại.`);
    });
}

function supplementRequestForm(d, path, done) {
  return form({ "aria-label": "Yêu cầu bổ sung" }, [
    field("Giấy tờ cần bổ sung", h("textarea", { name: "items", rows: 2, required: true, maxlength: 2000 }), "Mỗi dòng một giấy tờ."),
    field("Lý do", h("input", { name: "reason", required: true, maxlength: 2000 }))], "Gửi yêu cầu bổ sung", async (data) => {
    const items = String(data.get("items")).split("\n").map((x) => x.trim()).filter(Boolean);
    await done(await post(`${path}/supplement-request`, { items, reason: String(data.get("reason")).trim(), expected_version: d.version }),
      `Đã gửi yêu cầu bổ sung hồ sơ ${d.code}.`);
  });
}

function reasonForm(d, url, what, button, done, message) {
  return form({ "aria-label": button }, [field(what, h("input", { name: "reason", required: true, maxlength: 2000 }))], button,
    async (data) => done(await post(url, { reason: String(data.get("reason")).trim(), expected_version: d.version }), message));
}

function deliveryForm(d, path, done) {
  const owed = d.shortfall > 0 ? h("p", { class: "error" }, `Công dân còn thiếu ${fmtMoney(d.shortfall)}: thu đủ ở mục "Thu lệ phí" trước khi trả.`) : null;
  return form({ "aria-label": "Trả kết quả tại quầy" }, [owed,
    field("Người nhận kết quả", h("input", { name: "receiver_name", required: true, maxlength: 200, value: d.applicant.name || "" }))],
  "Trả kết quả", async (data) => done(await post(`${path}/delivery`, { channel: "counter",
    receiver_name: String(data.get("receiver_name")).trim(), expected_version: d.version }), `Đã trả kết quả hồ sơ ${d.code}.`));
}

function refundForm(d, done) {
  return form({ "aria-label": "Hoàn trả tiền nộp thừa" }, [h("p", {}, `Công dân đã nộp thừa ${fmtMoney(d.excess)}.`)],
    `Hoàn trả ${fmtMoney(d.excess)}`, async () => {
      if (!await confirmDialog("Hoàn trả tiền nộp thừa?", [`Trả lại ${fmtMoney(d.excess)} tiền mặt cho công dân.`,
        "Khoản hoàn trả được ghi vào sổ quỹ."], "Đã trả tiền")) return;
      await done(await post(`/counter/dossiers/${encodeURIComponent(d.code)}/refund`, { expected_version: d.version }),
        `Đã hoàn trả ${fmtMoney(d.excess)} cho hồ sơ ${d.code}.`);
    });
}

// Electronic fee receipts (biên lai điện tử) of the dossier's payments: issue those missing, open each sealed PDF.
async function feeReceipts(d) {
  const base = `/money/dossiers/${encodeURIComponent(d.code)}/fee-receipts`;
  let receipts;
  try {
    receipts = await get(base);
  } catch (failure) {
    return h("p", { class: "error" }, failure.message);
  }
  const list = receipts.length
    ? h("ul", { id: "fee-receipts" }, receipts.map((r) => h("li", {},
      `Biên lai ${r.serial} số ${String(r.number).padStart(7, "0")}: ${fmtMoney(r.amount)}`,
      r.status === "cancelled" ? " (đã hủy) " : " ",
      h("button", { type: "button", onclick: () => download(`/money/fee-receipts/${r.agency}/${r.year}/${r.number}/pdf`,
        `bien-lai-${r.year}-${r.number}.pdf`) }, "Tải PDF"))))
    : h("p", {}, "Chưa lập biên lai cho khoản nộp nào.");
  return h("div", {}, list, form({ "aria-label": "Lập biên lai điện tử" }, [], "Lập biên lai cho các khoản đã nộp", async () => {
    const issued = await post(base, {});
    notice(issued.receipts.length ? `Đã lập ${issued.receipts.length} biên lai.` : "Mọi khoản nộp đều đã có biên lai.");
    go(location.hash);
  }));
}

// A rejected or withdrawn dossier's fee goes back, in cash at the counter or by bank transfer (its reference kept).
function feeRefundForm(d, done) {
  const method = h("select", { name: "method" }, options([["cash", "Tiền mặt tại quầy"], ["bank_transfer", "Chuyển khoản"]], "cash"));
  const reference = h("input", { name: "bank_reference", maxlength: 100, disabled: true });
  method.addEventListener("change", () => {
    reference.disabled = method.value !== "bank_transfer";
    reference.required = !reference.disabled;
  });
  return form({ "aria-label": "Hoàn trả lệ phí" }, [
    h("p", {}, `Hồ sơ không được giải quyết: hoàn trả toàn bộ ${fmtMoney(d.paid)} công dân đã nộp.`),
    field("Hình thức hoàn trả", method), field("Số tham chiếu chuyển khoản", reference, "Chỉ khi chuyển khoản.")],
  `Hoàn trả ${fmtMoney(d.paid)}`, async (data) => {
    const transfer = data.get("method") === "bank_transfer";
    if (!await confirmDialog("Hoàn trả lệ phí?", [`Trả lại ${fmtMoney(d.paid)} ${transfer ? "bằng chuyển khoản" : "tiền mặt"}.`,
      "Khoản hoàn trả được ghi vào sổ quỹ."], "Đã hoàn trả")) return;
    const body = { method: data.get("method"), expected_version: d.version };
    if (transfer) body.bank_reference = String(data.get("bank_reference")).trim();
    await done(await post(`/money/dossiers/${encodeURIComponent(d.code)}/refunds`, body),
      `Đã hoàn trả ${fmtMoney(d.paid)} cho hồ sơ ${d.code}.`);
  });
}

// Rejection is final: the officer confirms in a dialog that names the consequence; the notice is then printed.
function rejectForm(d, path, done) {
  return form({ "aria-label": "Từ chối hồ sơ" }, [field("Lý do từ chối", h("textarea", { name: "reason", rows: 2, required: true, maxlength: 2000 }))],
    "Từ chối…", async (data) => {
      const reason = String(data.get("reason")).trim();
      if (!await confirmDialog(`Từ chối hồ sơ ${d.code}?`, [`Lý do: ${reason}`, "Hồ sơ sẽ kết thúc và không xử lý tiếp được."],
        "Xác nhận từ chối")) return;
      await done(await post(`${path}/reject`, { reason, expected_version: d.version }),
        `Đã từ chối hồ sơ ${d.code}. In thông báo từ chối để giao công dân.`);
    });
}

function rejectionNotice(d, procedure, ref, session) {
  const agency = ref.agencies.find((a) => a.code === d.agency)?.name || d.agency;
  const el = h("section", { class: "card notice-sheet", id: "rejection-notice", "aria-labelledby": "rejection-title" },
    h("p", { class: "sheet-head" }, agency.toUpperCase(), h("br"), "Bộ phận Một cửa"),
    h("p", { class: "sheet-nation" }, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", h("br"), "Độc lập - Tự do - Hạnh phúc"),
    h("h2", { id: "rejection-title" }, "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ"),
    h("p", {}, `Kính gửi: Ông/Bà ${d.applicant.name}`),
    h("p", {}, `Bộ phận Một cửa ${agency} đã nhận hồ sơ số ${d.code} của Ông/Bà đề nghị giải quyết thủ tục: `
      + `${procedure ? procedure.name : d.procedure_code}.`),
    h("p", {}, `Hồ sơ không đủ điều kiện giải quyết vì lý do: ${d.reason}.`),
    h("p", {}, "Xin thông báo để Ông/Bà biết. Trân trọng."),
    h("p", { class: "sheet-sign" }, `Ngày ${fmtDate(new Date().toISOString())}`, h("br"), "Người tiếp nhận", h("br"), h("br"),
      session.account.name),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => printOnly(el) }, "In thông báo từ chối")));
  return el;
}
