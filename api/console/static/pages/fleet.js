// Các kiosk: every kiosk of the caller's agency, online or not (heartbeats), its containers and what needs the
// team (GET /views/kiosks/fleet).
import { get } from "../api.js";
import { fmtMoney, fmtTime, h, table } from "../ui.js";

export const page = { route: "fleet", title: "Tình trạng kiosk", needs: ["GET /views/kiosks/fleet"], menu: true };

export const PROBLEMS = {
  offline: "Mất kết nối",
  door_fault: "Lỗi cửa khay",
  envelopes_low: "Sắp hết phong bì",
  cash_box_full: "Hộp tiền gần đầy",
  trays_low: "Sắp hết khay trống",
  outbox_backlog: "Sự kiện chưa gửi về",
};

export async function render(view) {
  const kiosks = await get("/views/kiosks/fleet");
  view.append(
    h("h1", {}, "Tình trạng các kiosk"),
    h("p", {}, "Kiosk không gửi tín hiệu trong 60 giây được coi là mất kết nối; mỗi sự cố được báo cho Tổ tư vấn một lần."),
    table(["Kiosk", "Kết nối", "Tín hiệu cuối", "Lỗi cửa khay", "Hộp tiền", "Phong bì còn", "Khay trống",
      "Sự kiện chờ gửi", "Cần xử lý"], kiosks.map((k) => [
      h("a", { href: `#/kiosks/${encodeURIComponent(k.kiosk)}` }, k.kiosk),
      h("span", { class: k.online ? "badge" : "badge danger" }, k.online ? "Trực tuyến" : "Mất kết nối"),
      k.last_seen ? h("time", { datetime: k.last_seen }, fmtTime(k.last_seen)) : "Chưa có",
      k.door_faults.length ? k.door_faults.join(", ") : "—",
      fmtMoney(k.cash_expected), String(k.unused_envelopes), String(k.free_trays),
      k.outbox_backlog === null ? "—" : String(k.outbox_backlog),
      k.problems.map((p) => PROBLEMS[p] || p).join("; ") || "—",
    ]), { class: "list", id: "fleet" }),
  );
}
