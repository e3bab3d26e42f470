// Quá hạn: results not collected within the limit after the SMS, with tray numbers and what to do.
import { get } from "../api.js";
import { label, OVERDUE_ACTIONS } from "../labels.js";
import { h, kioskForm, table } from "../ui.js";

export const page = { route: "overdue", title: "Kết quả quá hạn", needs: ["GET /views/kiosks/{key}/overdue"], menu: true, kiosk: true };

export async function render(view, { args }) {
  const key = args[0];
  if (!key) {
    view.append(h("h1", {}, "Kết quả quá hạn"), kioskForm("#/overdue"));
    return;
  }
  const list = await get(`/views/kiosks/${encodeURIComponent(key)}/overdue`);
  view.append(
    h("h1", {}, `Kết quả quá hạn — kiosk ${key}`),
    h("p", {}, `Quá ${list.limit_days} ngày làm việc kể từ khi nhắn tin. `,
      list.kiosk_full ? h("strong", { class: "badge danger" }, "Kiosk đã hết khay trống: cần thu hồi.")
        : `Còn ${list.free_trays} khay trống: kết quả được để lại trong kiosk.`),
    table(["Khay", "Mã hồ sơ", "Thủ tục", "Người nộp", "Điện thoại", "Số ngày", "Xử lý"], list.items.map((x) => [
      String(x.tray), h("a", { href: `#/dossiers/${encodeURIComponent(x.dossier_code)}` }, x.dossier_code),
      x.procedure_name || x.procedure_code, x.applicant, x.phone, String(x.days_since_notification),
      label(OVERDUE_ACTIONS, x.suggested_action),
    ]), { class: "list", id: "overdue" }),
  );
}
