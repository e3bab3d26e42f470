// Lưới khay: the kiosk's trays as a grid coloured by state, with a legend.
import { get } from "../api.js";
import { can } from "../auth.js";
import { TRAY, label } from "../labels.js";
import { fmtTime, h, kioskForm } from "../ui.js";

export const page = { route: "kiosks", title: "Lưới khay kiosk", needs: ["GET /views/kiosks/{key}/trays"], menu: true, kiosk: true };

export async function render(view, { args, session }) {
  const key = args[0];
  if (!key) {
    view.append(h("h1", {}, "Lưới khay kiosk"), kioskForm("#/kiosks"));
    return;
  }
  const trays = await get(`/views/kiosks/${encodeURIComponent(key)}/trays`);
  const count = (status) => trays.filter((t) => t.status === status).length;
  view.append(
    h("h1", {}, `Lưới khay kiosk ${key}`),
    h("p", { class: "legend", "aria-label": "Chú giải" },
      Object.entries(TRAY).map(([status, name]) => h("span", { class: `tray-${status} key` }, `${name}: ${count(status)}`)),
      h("a", { href: `#/overdue/${encodeURIComponent(key)}` }, "Xem kết quả quá hạn"), " ",
      can("POST /kiosks/{key}/loads") ? [h("a", { href: `#/kiosk-staff/${encodeURIComponent(key)}` }, "Nạp khay"), " "] : null,
      h("a", { href: "#/kiosks" }, "Đổi kiosk"),
      can("GET /audit/{kind}/{key}/as-of") ? [" ", h("a", { href: `#/audit/kiosk/${encodeURIComponent(key)}` }, "Kiểm tra lịch sử kiosk")] : null),
    trays.length ? h("ol", { class: "trays", id: "trays", "aria-label": `${trays.length} khay` }, trays.map(cell))
      : h("p", { role: "alert", class: "error" }, `Không có khay nào của kiosk ${key}: kiểm tra mã kiosk.`),
  );
}

function cell(t) {
  const name = `Khay ${t.tray}: ${label(TRAY, t.status)}${t.dossier_code ? `, hồ sơ ${t.dossier_code}` : ""}`;
  const content = [h("b", {}, String(t.tray)), t.dossier_code ? h("small", {}, t.dossier_code) : null];
  return h("li", { class: `tray tray-${t.status}`, "data-tray": t.tray, title: t.loaded_at ? `Nạp lúc ${fmtTime(t.loaded_at)}` : null },
    t.dossier_code ? h("a", { href: `#/dossiers/${encodeURIComponent(t.dossier_code)}`, "aria-label": name }, content)
      : h("span", { "aria-label": name, role: "img" }, content));
}
