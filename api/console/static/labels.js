// Every Vietnamese word the console shows for a code of the API: states, queues, actions, channels, ratings, roles,
// error codes. The one place to change a label; pages never print a code they got from the API as it is.

export const STATUS = {
  registered: "Mới đăng ký", received: "Đã tiếp nhận", accepted: "Đã tiếp nhận xử lý",
  supplement_requested: "Chờ bổ sung", in_processing: "Đang xử lý", result_issued: "Đã có kết quả",
  in_tray: "Đã nạp vào khay", delivered: "Đã trả kết quả", rated: "Đã đánh giá", rejected: "Từ chối",
  withdrawal_requested: "Xin rút hồ sơ", withdrawn: "Đã rút",
  return_registered: "Chờ Công an bàn giao thẻ",
};

export const QUEUES = {
  new_online: "Mới đăng ký trực tuyến", kiosk_bin: "Trong thùng kiosk", to_accept: "Chờ tiếp nhận",
  to_route: "Chờ chuyển xử lý", in_processing: "Đang xử lý", supplement_pending: "Chờ bổ sung",
  withdrawal_requested: "Xin rút", results_to_sign: "Kết quả chờ ký/giao", results_to_load: "Kết quả chờ nạp khay",
  ready_for_pickup: "Chờ công dân nhận", closed: "Đã kết thúc",
  cards_awaited: "Thẻ Căn cước chờ bàn giao",
};

// The dossier's next actions (domain/dossier.py ALLOWED), as an officer says them.
export const ACTIONS = {
  accept: "tiếp nhận hồ sơ", reject: "từ chối hồ sơ", request_supplement: "yêu cầu bổ sung",
  provide_supplement: "nhận bổ sung", request_withdrawal: "xin rút hồ sơ", withdraw: "rút hồ sơ",
  assess_fee: "xác định lệ phí", record_payment: "thu lệ phí", route: "chuyển phòng xử lý", hand_over: "giao nhận hồ sơ",
  issue_result: "ghi nhận kết quả", load_into_tray: "nạp kết quả vào khay", pull_back: "thu hồi kết quả từ khay",
  deliver_result: "trả kết quả", rate: "đánh giá", sign_result: "ký số kết quả",
  record_card: "bàn giao thẻ Căn cước", enrol_face: "lấy mẫu khuôn mặt", link_portal: "ghi mã Cổng DVC",
};

export const CHANNELS = { kiosk: "Kiosk 24/7", counter: "Tại quầy", online: "Trực tuyến", postal: "Bưu chính" };
export const DELIVERY = { kiosk: "Nhận tại kiosk 24/7", counter: "Tại quầy", postal: "Bưu chính", online: "Trực tuyến" };
export const NOTIFY = { sms: "tin nhắn SMS", zalo: "Zalo", email: "thư điện tử", console: "màn hình cán bộ" };
// The steps a citizen is told of (application/citizen_steps.py) and how far each message got.
export const NOTIFY_STEPS = {
  received: "Đã tiếp nhận hồ sơ", accepted: "Tiếp nhận hồ sơ trực tuyến", supplement: "Yêu cầu bổ sung",
  rejected: "Từ chối giải quyết", result_ready: "Có kết quả tại quầy", pickup_ready: "Có kết quả tại khay kiosk",
  pickup_reminder: "Nhắc nhận kết quả", pulled_back: "Thu hồi kết quả khỏi khay", otp: "Mã OTP",
};
export const NOTIFY_STATUS = { pending: "Đang gửi", sent: "Đã gửi", delivered: "Đã đến máy/hộp thư", gave_up: "Không gửi được" };
export const PAYMENT = { cash: "tiền mặt", bank_qr: "chuyển khoản QR" };
export const RATINGS = {
  very_satisfied: "Rất hài lòng", satisfied: "Hài lòng", acceptable: "Chấp nhận được", dissatisfied: "Không hài lòng",
};
export const ROLES = {
  reception_officer: "Cán bộ tiếp nhận", department_officer: "Cán bộ phòng chuyên môn", consultant: "Tổ tư vấn",
  police_officer: "Cán bộ công an", signer: "Lãnh đạo ký duyệt", auditor: "Kiểm tra", analyst: "Phân tích",
  administrator: "Quản trị", citizen: "Công dân", kiosk: "Kiosk", system: "Hệ thống",
};
export const TRAY = { empty: "Trống", loaded: "Có hồ sơ", out_of_service: "Ngừng sử dụng" };
export const OVERDUE_ACTIONS = {
  keep: "Để lại trong kiosk (còn khay trống)",
  pull_back_to_one_stop: "Thu hồi, giao Bộ phận Một cửa",
  pull_back_to_police: "Thu hồi, giao Công an",
};
// The kiosk team's routines (domain/routine.py Slot) and the outcomes of a call about an overdue result.
export const ROUTINE_SLOTS = { collection_morning: "Thu hồ sơ và tiền 08:00", collection_afternoon: "Thu hồ sơ và tiền 14:00",
  loading_round: "Nạp kết quả vào khay 16:00" };
export const CONTACT_OUTCOMES = { will_come: "Công dân hẹn đến nhận", asked_counter: "Công dân xin nhận tại quầy",
  no_answer: "Không liên lạc được", wrong_number: "Sai số điện thoại" };
export const SIGNED_KINDS = { receipt_form: "Phiếu tiếp nhận", result: "Kết quả giải quyết", scan: "Bản số hóa",
  electronic: "Giấy tờ điện tử" };

// Error codes whose server sentence is not enough (or names internal codes): built from the error's details.
const ERRORS = {
  action_not_allowed: (d) => `Không thể ${label(ACTIONS, d.action)} khi hồ sơ đang ở trạng thái "${label(STATUS, d.state)}"`
    + (d.allowed?.length ? `. Có thể: ${d.allowed.map((a) => label(ACTIONS, a)).join(", ")}.` : "."),
  version_conflict: () => "Hồ sơ đã thay đổi, tải lại trang để xem trạng thái mới rồi thử lại.",
  no_signing_key: () => "Tài khoản của bạn chưa được cấp khóa ký số: liên hệ quản trị hệ thống.",
};
export const errorText = (code, details) => (ERRORS[code] ? ERRORS[code](details || {}) : null);

// The label of a code; a missing value is a dash, an unknown code is said to be unknown rather than shown raw.
export function label(table, key) {
  if (key === null || key === undefined || key === "") return "—";
  return table[key] ?? "Không xác định";
}

// What a value reads as in a table cell: never "null", "true" or "undefined".
export function shown(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (value === true) return "Có";
  if (value === false) return "Không";
  return String(value);
}
