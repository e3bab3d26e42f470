// Hồ sơ: details, the full history as a timeline, the signatures, and the forms of the actions allowed now.
import { catalogue, get, signatures } from "../api.js";
import { actionForms } from "../actions.js";
import { noticesCard } from "../notices.js";
import { can } from "../auth.js";
import { go } from "../app.js";
import { CHANNELS, label, NOTIFY, PAYMENT, RATINGS, ROLES, STATUS } from "../labels.js";
import { signatureCard } from "../signing.js";
import { DOSSIER_CODE, fmtDate, fmtMoney, fmtTime, h, normaliseCode } from "../ui.js";

export const page = { route: "dossiers", title: "Mở hồ sơ", needs: ["GET /dossiers/{code}", "GET /dossiers/{code}/history"],
  menu: true };

export async function render(view, { args, session }) {
  const code = normaliseCode(args[0]);
  if (!code) {
    view.append(h("h1", {}, "Mở hồ sơ"), openForm());
    return;
  }
  if (code !== args[0]) {  // a link or bookmark typed in lower case or with spaces: show the code as the API knows it
    history.replaceState(null, "", `#/dossiers/${encodeURIComponent(code)}`);
  }
  const path = `/dossiers/${encodeURIComponent(code)}`;
  const [d, events, ref, files] = await Promise.all([get(path), get(`${path}/history`), catalogue(), signatures(code)]);
  const notices = await noticesCard(d);
  // The number of the result document is in its ResultIssued event (the signer's form fills it in).
  d.result_number = events.findLast((e) => e.type === "ResultIssued")?.data.document_number || null;
  const names = Object.fromEntries([...ref.departments, ...ref.agencies, ...ref.procedures].map((x) => [x.code, x.name]));
  view.append(
    h("h1", {}, `Hồ sơ ${d.code} `, h("span", { class: `badge status-${d.status}`, id: "status" }, label(STATUS, d.status))),
    h("div", { class: "columns" },
      h("div", {},
        h("section", { class: "card", "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Thông tin hồ sơ"),
          details(d, names)),
        h("section", { class: "card", "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, "Lịch sử xử lý"),
          timeline(events, names), auditLink(code)),
        notices,
        signatureCard(d, files)),
      h("section", { class: "card", "aria-labelledby": "actions-title" },
        h("h2", { id: "actions-title" }, "Thao tác"),
        h("p", { class: "hint" }, `Phiên bản hồ sơ: ${d.version}. Nếu hồ sơ vừa được người khác cập nhật, thao tác sẽ bị từ chối.`),
        actionForms(d, ref, session, files))),
  );
}

function details(d, names) {
  const a = d.applicant;
  const rows = [
    ["Thủ tục", `${names[d.procedure_code] || ""} (${d.procedure_code})`],
    ["Cơ quan", names[d.agency] || d.agency], ["Kênh nộp", label(CHANNELS, d.channel)],
    ["Người nộp", [a.name, a.organisation].filter(Boolean).join(" – ")], ["Số CCCD", a.id_number],
    ["Điện thoại", a.phone], ["Địa chỉ", a.address],
    ["Ngày nhận", fmtTime(d.received_at)], ["Ngày hẹn trả", fmtDate(d.due_on)],
    ["Phòng xử lý", d.department ? names[d.department] || d.department : null],
    ["Đang giữ hồ sơ giấy", d.holder ? `${d.holder.name} (${d.holder.unit})` : null],
    ["Lệ phí", `${fmtMoney(d.fee)} · đã nộp ${fmtMoney(d.paid)}${d.shortfall ? ` · còn thiếu ${fmtMoney(d.shortfall)}` : ""}`],
    ["Kết quả", d.result], ["Lý do", d.reason],
    ["Cần bổ sung", d.supplement_items.length ? d.supplement_items.join("; ") : null],
    ["Thành phần", d.components.map((c) => `${c.name} (${c.count})`).join("; ")],
  ];
  return h("dl", { class: "details" }, rows.filter(([, v]) => v).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

const EVENTS = {
  Registered: () => "Đăng ký trực tuyến",
  Received: () => "Tiếp nhận hồ sơ giấy",
  Accepted: (x) => `Tiếp nhận xử lý, hẹn trả ${fmtDate(x.due_on)}`,
  Rejected: (x) => `Từ chối: ${x.reason}`,
  SupplementRequested: (x) => `Yêu cầu bổ sung: ${x.items.join("; ")} — ${x.reason}`,
  SupplementProvided: (x) => `Đã bổ sung, hẹn trả mới ${fmtDate(x.due_on)}`,
  WithdrawalRequested: (x) => `Xin rút hồ sơ: ${x.reason}`,
  Withdrawn: () => "Đã rút hồ sơ",
  FeeAssessed: (x) => `Xác định lệ phí ${fmtMoney(x.amount)}`,
  PaymentReceived: (x) => `Thanh toán ${fmtMoney(x.amount)} (${label(PAYMENT, x.method)})`,
  Routed: (x, names) => `Chuyển xử lý: ${names[x.department] || x.department}`,
  HandedOver: (x) => `Giao nhận ${x.item}: ${x.giver.name} (${x.giver.unit}) → ${x.receiver.name} (${x.receiver.unit})`,
  HandoverConfirmed: (x) => `Người nhận xác nhận lượt giao nhận số ${x.line}`,
  ExcessRefunded: (x) => `Hoàn trả ${fmtMoney(x.amount)} tiền nộp thừa tại quầy`,
  ContactRecorded: (x) => `Liên hệ công dân: ${{ will_come: "hẹn đến nhận", asked_counter: "xin nhận tại quầy",
    no_answer: "không liên lạc được", wrong_number: "sai số điện thoại" }[x.outcome] || "đã gọi"}`,
  ResultIssued: (x) => `Có kết quả: ${x.summary}${x.document_number ? ` (số ${x.document_number})` : ""}`,
  LoadedIntoTray: (x) => `Nạp kết quả vào khay ${x.tray} của kiosk ${x.kiosk}`,
  NotificationRequested: (x) => `Gửi thông báo qua ${label(NOTIFY, x.channel)}`,
  ContactChannelsChosen: (x) => `Chọn kênh nhận thông báo: ${x.channels.map((c) => label(NOTIFY, c)).join(" → ")}`,
  PickupReminderDue: (x) => `Nhắc công dân nhận kết quả ở khay ${x.tray} kiosk ${x.kiosk} trước hết ngày ${fmtDate(x.deadline)}`,
  PulledBackFromTray: (x) => `Thu hồi kết quả từ khay ${x.tray} của kiosk ${x.kiosk}`,
  ResultDelivered: (x) => `Đã trả kết quả${x.receiver_name ? ` cho ${x.receiver_name}` : ""}`,
  Rated: (x) => `Đánh giá: ${x.rating.stars ? `${x.rating.stars} sao` : label(RATINGS, x.rating.level)}`,
};

// Who acted, by name; accounts that are not people (the national portal, the system) by their role.
function timeline(events, names) {
  return h("ol", { class: "timeline", id: "timeline" }, events.map((e) => h("li", { "data-event": e.type },
    h("time", { datetime: e.at }, fmtTime(e.at)),
    h("span", { class: "what" }, (EVENTS[e.type] || (() => "Sự kiện khác"))(e.data, names)),
    h("span", { class: "who" }, [e.actor_name, label(ROLES, e.actor.role)].filter(Boolean).join(" · ")))));
}

// Those whose role may read the audit history get a link to it: positions, printout, state at any time.
function auditLink(code) {
  if (!can("GET /audit/{kind}/{key}/history")) return null;
  return h("p", {}, h("a", { href: `#/audit/dossier/${encodeURIComponent(code)}`, id: "audit-link" }, "Kiểm tra lịch sử và trạng thái theo thời điểm"));
}

// Any case and spacing is accepted; a code that is malformed or not found is said under the field, and the form stays.
function openForm() {
  const input = h("input", { name: "code", id: "open-code", required: true, autofocus: true, autocomplete: "off",
    placeholder: "H29.06-260520-0001", "aria-describedby": "open-code-error" });
  const error = h("p", { class: "error", role: "alert", id: "open-code-error", hidden: true });
  const el = h("form", { class: "card narrow", "aria-label": "Mở hồ sơ theo mã" }, h("label", { for: "open-code" }, "Mã hồ sơ"),
    input, error, h("div", { class: "actions" }, h("button", { type: "submit" }, "Mở")));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = normaliseCode(input.value);
    error.hidden = true;
    try {
      if (!DOSSIER_CODE.test(code)) throw new Error(`"${input.value.trim()}" không phải mã hồ sơ (dạng H29.06-260520-0001).`);
      await get(`/dossiers/${encodeURIComponent(code)}`);
      go(`#/dossiers/${encodeURIComponent(code)}`);
    } catch (failure) {
      error.replaceChildren(failure.message);
      error.hidden = false;
      input.focus();
    }
  });
  return el;
}
