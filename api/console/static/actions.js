// The action forms of the dossier page. Each sends the version it was shown (optimistic concurrency), then waits
// for the read models to hold the write before the page reloads (read-your-writes).
import { caughtUp, get, logHead, post } from "./api.js";
import { go, notice } from "./app.js";
import { field, form, h, label, lastKiosk, options, party, ROLES } from "./ui.js";

const FORMS = [
  ["accept", "Tiếp nhận hồ sơ", acceptForm],
  ["route", "Chuyển phòng xử lý", routeForm],
  ["issue_result", "Ghi nhận kết quả", resultForm],
  ["hand_over", "Giao nhận hồ sơ / kết quả", handoverForm],
  ["load_into_tray", "Nạp kết quả vào khay kiosk", loadForm],
  ["request_supplement", "Yêu cầu bổ sung", supplementForm],
  ["reject", "Từ chối hồ sơ", rejectForm],
];

export function actionForms(d, ref, session) {
  const path = `/dossiers/${encodeURIComponent(d.code)}`;
  const allowed = FORMS.filter(([action]) => d.allowed_actions.includes(action));
  const mine = (d.unconfirmed_handovers || []).filter((x) => x.receiver === session.account.username);
  if (!allowed.length && !mine.length) return h("p", {}, "Không có thao tác nào ở trạng thái này.");
  return [...mine.map((x) => h("section", { class: "action", "data-action": "confirm_handover" },
    h("h3", {}, "Xác nhận đã nhận"), confirmForm(d, x.line, path))),
  ...allowed.map(([action, title, build]) => h("section", { class: "action", "data-action": action },
    h("h3", {}, title), build(d, ref, session, path)))];
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

function rejectForm(d, ref, session, path) {
  return form({ "aria-label": "Từ chối hồ sơ" }, [field("Lý do từ chối", area("reason"))], "Từ chối", async (data) =>
    done(await post(`${path}/reject`, { reason: data.get("reason").trim(), expected_version: d.version }),
      `Đã từ chối hồ sơ ${d.code}.`));
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
    const key = data.get("kiosk").trim();
    const slip = await loadResult(key, d.code);
    lastKiosk(key);
    notice(`Đã nạp hồ sơ ${d.code} vào khay ${slip.loaded[0].tray} của kiosk ${key}.`);
    go(location.hash);
  });
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
