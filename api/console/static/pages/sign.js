// Kết quả chờ ký: the signer's queue. Results recorded by the departments whose signed copy does not exist yet come
// first; each opens on the dossier page, where the signer previews the document, signs it and the agency seal follows.
import { get, signatures } from "../api.js";
import { SIGN, signedResult } from "../signing.js";
import { fmtDate, fmtTime, h, table } from "../ui.js";

export const page = { route: "sign", title: "Kết quả chờ ký", needs: ["GET /views/queues/{queue}", SIGN], menu: true };

export async function render(view) {
  const queue = await get("/views/queues/results_to_sign?page_size=200&order=due_on");
  const states = await Promise.all(queue.items.map((d) => signatures(d.code).then(signedResult)));
  const rows = queue.items.map((d, i) => ({ d, signed: states[i] }));
  const waiting = rows.filter((x) => !x.signed);
  const done = rows.filter((x) => x.signed);
  const open = (d) => h("a", { href: `#/dossiers/${encodeURIComponent(d.code)}` }, d.code);
  view.append(
    h("h1", {}, "Kết quả chờ ký"),
    h("p", { class: "sub" }, `${waiting.length} kết quả chờ ký số · ${done.length} kết quả đã ký, chờ giao.`),
    h("h2", {}, "Chờ ký số"),
    table(["Mã hồ sơ", "Thủ tục", "Đang giữ hồ sơ giấy", "Ngày nhận", "Hẹn trả"], waiting.map(({ d }) => [open(d),
      d.procedure_name || d.procedure_code, d.holder_unit, fmtTime(d.received_at), fmtDate(d.due_on)]),
    { class: "list", id: "to-sign", "aria-label": "Kết quả chờ ký số" }),
    h("h2", {}, "Đã ký, chờ giao cho Tổ tư vấn hoặc trả kết quả"),
    table(["Mã hồ sơ", "Thủ tục", "Ký lúc", "Hẹn trả"], done.map(({ d, signed }) => [open(d),
      d.procedure_name || d.procedure_code, fmtTime(signed.signatures[0]?.signed_at), fmtDate(d.due_on)]),
    { class: "list", id: "signed", "aria-label": "Kết quả đã ký" }),
  );
}
