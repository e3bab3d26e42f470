// Hồ sơ: details, the full history as a timeline, and the forms of the actions allowed now.
import { catalogue, get } from "../api.js";
import { actionForms } from "../actions.js";
import { CHANNELS, fmtDate, fmtMoney, fmtTime, h, label, ROLES, STATUS } from "../ui.js";

export async function render(view, { args, session }) {
  const code = args[0];
  if (!code) {
    view.append(h("h1", {}, "Mở hồ sơ"), openForm());
    return;
  }
  const path = `/dossiers/${encodeURIComponent(code)}`;
  const [d, history, ref] = await Promise.all([get(path), get(`${path}/history`), catalogue()]);
  const names = Object.fromEntries([...ref.departments, ...ref.agencies, ...ref.procedures].map((x) => [x.code, x.name]));
  view.append(
    h("h1", {}, `Hồ sơ ${d.code} `, h("span", { class: `badge status-${d.status}`, id: "status" }, label(STATUS, d.status))),
    h("div", { class: "columns" },
      h("div", {},
        h("section", { class: "card", "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Thông tin hồ sơ"),
          details(d, names)),
        h("section", { class: "card", "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, "Lịch sử xử lý"),
          timeline(history, names), auditLink(session, code))),
      h("section", { class: "card", "aria-labelledby": "actions-title" },
        h("h2", { id: "actions-title" }, "Thao tác"),
        h("p", { class: "hint" }, `Phiên bản hồ sơ: ${d.version}. Nếu hồ sơ vừa được người khác cập nhật, thao tác sẽ bị từ chối.`),
        actionForms(d, ref, session))),
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
  PaymentReceived: (x) => `Thanh toán ${fmtMoney(x.amount)} (${x.method === "cash" ? "tiền mặt" : "chuyển khoản QR"})`,
  Routed: (x, names) => `Chuyển xử lý: ${names[x.department] || x.department}`,
  HandedOver: (x) => `Giao nhận ${x.item}: ${x.giver.name} (${x.giver.unit}) → ${x.receiver.name} (${x.receiver.unit})`,
  HandoverConfirmed: (x) => `Người nhận xác nhận lượt giao nhận số ${x.line}`,
  ExcessRefunded: (x) => `Hoàn trả ${fmtMoney(x.amount)} tiền nộp thừa tại quầy`,
  ContactRecorded: (x) => `Liên hệ công dân: ${{ will_come: "hẹn đến nhận", asked_counter: "xin nhận tại quầy",
    no_answer: "không liên lạc được", wrong_number: "sai số điện thoại" }[x.outcome] || "đã gọi"}`,
  ResultIssued: (x) => `Có kết quả: ${x.summary}${x.document_number ? ` (số ${x.document_number})` : ""}`,
  LoadedIntoTray: (x) => `Nạp kết quả vào khay ${x.tray} của kiosk ${x.kiosk}`,
  NotificationRequested: (x) => `Gửi thông báo qua ${x.channel}`,
  PulledBackFromTray: (x) => `Thu hồi kết quả từ khay ${x.tray} của kiosk ${x.kiosk}`,
  ResultDelivered: (x) => `Đã trả kết quả${x.receiver_name ? ` cho ${x.receiver_name}` : ""}`,
  Rated: (x) => `Đánh giá: ${x.rating.stars ? `${x.rating.stars} sao` : x.rating.level}`,
};

function timeline(history, names) {
  return h("ol", { class: "timeline", id: "timeline" }, history.map((e) => h("li", { "data-event": e.type },
    h("time", { datetime: e.at }, fmtTime(e.at)),
    h("span", { class: "what" }, (EVENTS[e.type] || (() => e.type))(e.data, names)),
    h("span", { class: "who" }, `${e.actor.account_id} · ${label(ROLES, e.actor.role)}`))));
}

// Auditors (and reception officers, for the history) get the audit page: positions, printout, state at any time.
function auditLink(session, code) {
  if (!["auditor", "reception_officer"].includes(session.account.role)) return null;
  return h("p", {}, h("a", { href: `#/audit/dossier/${encodeURIComponent(code)}`, id: "audit-link" }, "Kiểm tra lịch sử và trạng thái theo thời điểm"));
}

function openForm() {
  const input = h("input", { name: "code", required: true, autofocus: true, placeholder: "H29.06-260520-0001" });
  const el = h("form", { class: "card narrow" }, h("label", { for: "open-code" }, "Mã hồ sơ"),
    Object.assign(input, { id: "open-code" }), h("div", { class: "actions" }, h("button", { type: "submit" }, "Mở")));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/dossiers/${encodeURIComponent(input.value.trim())}`;
  });
  return el;
}
