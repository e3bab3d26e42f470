// The action forms of the dossier page. Each sends the version it was shown (optimistic concurrency), then waits
// for the read models to hold the write before the page reloads (read-your-writes). A form is offered only when the
// dossier's state allows the action AND the caller's role may call its operation (GET /console/capabilities).
import { caughtUp, get, logHead, post } from "./api.js";
import { go, notice } from "./app.js";
import { can } from "./auth.js";
import { label, ROLES } from "./labels.js";
import { canSign, missingSignedCopy, SIGN, signForm } from "./signing.js";
import { confirmDialog, field, form, h, lastKiosk, options, party } from "./ui.js";

// [dossier action, operation it calls, title, form]; part B adds its counter forms here.
const FORMS = [
  ["accept", "POST /dossiers/{code}/accept", "Tiếp nhận hồ sơ", acceptForm],
  ["route", "POST /dossiers/{code}/route", "Chuyển phòng xử lý", routeForm],
  ["issue_result", "POST /dossiers/{code}/result", "Ghi nhận kết quả", resultForm],
  ["hand_over", "POST /dossiers/{code}/handovers", "Giao nhận hồ sơ / kết quả", handoverForm],
  ["load_into_tray", "POST /kiosks/{key}/loads", "Nạp kết quả vào khay kiosk", loadForm],
  ["request_supplement", "POST /dossiers/{code}/supplement-request", "Yêu cầu bổ sung", supplementForm],
  ["reject", "POST /dossiers/{code}/reject", "Từ chối hồ sơ", rejectForm],
];

export function actionForms(d, ref, session, files = []) {
  const path = `/dossiers/${encodeURIComponent(d.code)}`;
  const allowed = FORMS.filter(([action, operation]) => d.allowed_actions.includes(action) && can(operation));
  const mine = can("POST /dossiers/{code}/handovers/{line}/confirm")
    ? (d.unconfirmed_handovers || []).filter((x) => x.receiver === session.account.username) : [];
  const sign = canSign(d) && !files.some((f) => f.kind === "result");
  if (!allowed.length && !mine.length && !sign) return h("p", {}, "Không có thao tác nào của bạn ở trạng thái này.");
  return [...mine.map((x) => h("section", { class: "action", "data-action": "confirm_handover" },
    h("h3", {}, "Xác nhận đã nhận"), confirmForm(d, x.line, path))),
  sign ? h("section", { class: "action", "data-action": "sign_result", "data-operation": SIGN },
    h("h3", {}, "Ký số kết quả"), signForm(d, ref, session, path, signed)) : null,
  ...allowed.map(([action, operation, title, build]) => h("section", { class: "action", "data-action": action,
    "data-operation": operation }, h("h3", {}, title), build(d, ref, session, path)))];
}

async function signed(document, message) {
  notice(message);
  go(location.hash);
}

// Only the receiver named in a handover line sees this: confirming records that they hold the paper.
function confirmForm(d, line, path) {
  return form({ "aria-label": `Xác nhận lượt giao nhận số ${line}` }, [], "Tôi đã nhận", async () =>
    done(await post(`${path}/handovers/${line}/confirm`, { expected_version: d.version }),
      `Đã xác nhận nhận hồ sơ ${d.code}.`));
}

async function done(written, message) {
  await caughtUp("dossiers", written.position);
  notice(message);
  go(location.hash);
}

const text = (name, attrs = {}) => h("input", { name, required: true, maxlength: 2000, ...attrs });
const area = (name, attrs = {}) => h("textarea", { name, required: true, rows: 2, maxlength: 2000, ...attrs });

function acceptForm(d, ref, session, path) {
  return form({ "aria-label": "Tiếp nhận hồ sơ" }, [], "Tiếp nhận", async () =>
    done(await post(`${path}/accept`, { expected_version: d.version }), `Đã tiếp nhận hồ sơ ${d.code}.`));
}

// Refusing ends the dossier: the officer confirms, reading the reason the citizen will get.
function rejectForm(d, ref, session, path) {
  return form({ "aria-label": "Từ chối hồ sơ" }, [field("Lý do từ chối", area("reason"))], "Từ chối", async (data) => {
    const reason = data.get("reason").trim();
    const ok = await confirmDialog(`Từ chối hồ sơ ${d.code}?`, [`Lý do gửi cho người nộp: "${reason}"`,
      "Hồ sơ sẽ kết thúc và không thể tiếp tục xử lý."], "Xác nhận từ chối", { danger: true });
    if (ok) await done(await post(`${path}/reject`, { reason, expected_version: d.version }), `Đã từ chối hồ sơ ${d.code}.`);
  });
}

function supplementForm(d, ref, session, path) {
  return form({ "aria-label": "Yêu cầu bổ sung" }, [
    field("Giấy tờ cần bổ sung", area("items", { rows: 3 }), "Mỗi dòng một giấy tờ."),
    field("Lý do", area("reason")),
  ], "Gửi yêu cầu bổ sung", async (data) => {
    const items = data.get("items").split("\n").map((x) => x.trim()).filter(Boolean);
    await done(await post(`${path}/supplement-request`, { items, reason: data.get("reason").trim(), expected_version: d.version }),
      `Đã gửi yêu cầu bổ sung hồ sơ ${d.code}.`);
  });
}

function routeForm(d, ref, session, path) {
  const usual = ref.procedures.find((p) => p.code === d.procedure_code)?.department;
  const select = h("select", { name: "department", required: true },
    options(ref.departments.map((x) => [x.code, `${x.name} (${x.code})`]), d.department || usual));
  return form({ "aria-label": "Chuyển phòng xử lý" }, [field("Phòng xử lý", select)], "Chuyển xử lý", async (data) =>
    done(await post(`${path}/route`, { department: data.get("department"), expected_version: d.version }),
      `Đã chuyển hồ sơ ${d.code} đến phòng xử lý.`));
}

function resultForm(d, ref, session, path) {
  return form({ "aria-label": "Ghi nhận kết quả" }, [
    field("Nội dung kết quả", area("summary")),
    field("Số, ký hiệu văn bản", h("input", { name: "document_number", maxlength: 100 }), "Không bắt buộc."),
  ], "Ghi nhận kết quả", async (data) => {
    const body = { summary: data.get("summary").trim(), expected_version: d.version };
    if (data.get("document_number").trim()) body.document_number = data.get("document_number").trim();
    await done(await post(`${path}/result`, body), `Đã ghi nhận kết quả hồ sơ ${d.code}.`);
  });
}

// The giver is the signed-in account (the server takes it from the token); the receiver is picked from the accounts
// the server offers for this dossier, and confirms on their own login.
function handoverForm(d, ref, session, path) {
  const me = party(session.account, ref);
  const receiver = h("select", { name: "receiver", required: true }, h("option", { value: "" }, "Đang tải danh sách…"));
  get(`${path}/handover-receivers`).then((list) => receiver.replaceChildren(h("option", { value: "" }, "— Chọn người nhận —"),
    ...options(list.map((x) => [x.account_id, `${x.name} — ${label(ROLES, x.role)}, ${x.unit}`]))),
  (failure) => receiver.replaceChildren(h("option", { value: "" }, `Không tải được danh sách: ${failure.message}`)));
  return form({ "aria-label": "Giao nhận hồ sơ" }, [
    field("Nội dung giao", text("item", { value: d.status === "result_issued" ? "Kết quả (bản chính)" : "Hồ sơ giấy" })),
    h("p", { class: "hint" }, `Người giao: ${me.name} (${me.unit})`),
    field("Người nhận", receiver, "Người nhận xác nhận trên tài khoản của mình; đến lúc đó lượt giao nhận ghi là chưa xác nhận."),
  ], "Ghi sổ giao nhận", async (data) => {
    await done(await post(`${path}/handovers`, { item: data.get("item").trim(), receiver: data.get("receiver"), expected_version: d.version }),
      `Đã ghi sổ giao nhận hồ sơ ${d.code}.`);
  });
}

function loadForm(d, ref, session) {
  const kiosk = text("kiosk", { maxlength: 31, value: lastKiosk(), pattern: "[A-Z0-9-]{2,31}", placeholder: "Q6-01" });
  return form({ "aria-label": "Nạp kết quả vào khay" }, [field("Mã kiosk", kiosk)], "Nạp vào khay", async (data) => {
    const key = data.get("kiosk").trim().toUpperCase();
    if (!(await unsignedAllowed(d.code, d.procedure_code, ref))) return;
    const slip = await loadResult(key, d.code);
    lastKiosk(key);
    notice(`Đã nạp hồ sơ ${d.code} vào khay ${slip.loaded[0].tray} của kiosk ${key}.`);
    go(location.hash);
  });
}

// A paper result without its signed copy is not ready for the citizen: say so, and load only if the officer insists.
export async function unsignedAllowed(code, procedureCode, ref) {
  if (!(await missingSignedCopy(code, procedureCode, ref))) return true;
  return confirmDialog(`Kết quả hồ sơ ${code} chưa được ký số`, ["Kết quả này cần bản đã ký số và đóng dấu trước khi trả cho "
    + "công dân. Nên chuyển lãnh đạo ký trước khi nạp vào khay."], "Vẫn nạp vào khay", { danger: true });
}

// Load one result into the lowest free tray as the signed-in account (the server takes it from the token); shared
// with the kiosk staff screen. Refusals become errors.
export async function loadResult(key, code) {
  const slip = await post(`/kiosks/${encodeURIComponent(key)}/loads`, { codes: [code] });
  if (slip.refused[code]) throw new Error(`Không nạp được hồ sơ ${code}: ${slip.refused[code]}`);
  // The slip carries no log position: the log head after our answer covers the write.
  await caughtUp("trays", await logHead());
  return slip;
}
