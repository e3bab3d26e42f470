// [14] Thẻ Căn cước chờ bàn giao: ID cards whose holders registered at a kiosk to collect them there (seed 000 §2.2).
// The police officer records each card as it is handed to the kiosk team, under the police's own dossier code; the
// card then waits in "Kết quả chờ nạp khay" like any result.
import { get, post } from "../api.js";
import { notice } from "../app.js";
import { field, fmtTime, form, h, table } from "../ui.js";

export const page = {
  route: "cards", title: "Thẻ Căn cước chờ bàn giao",
  needs: ["GET /views/queues/{queue}", "POST /dossiers/{code}/police-card"], menu: true,
};

function handOver(d, view) {
  const code = h("input", { name: "police_code", required: true, maxlength: 40, autocomplete: "off",
    pattern: ".*\\S.*", "aria-label": `Mã hồ sơ của Công an cho ${d.code}` });
  return form({ class: "inline" }, [field("Mã hồ sơ của Công an", code)], "Bàn giao thẻ", async (data) => {
    await post(`/dossiers/${encodeURIComponent(d.code)}/police-card`, { police_code: data.get("police_code") });
    notice(`Đã ghi nhận thẻ của hồ sơ ${d.code}: chờ Tổ tư vấn nạp vào khay.`);
    view.replaceChildren();
    await render(view);
  });
}

export async function render(view) {
  const queue = await get("/views/queues/cards_awaited?page_size=200&order=received_at");
  view.append(
    h("h1", {}, "Thẻ Căn cước chờ bàn giao"),
    h("p", { class: "sub" }, `${queue.items.length} người đã đăng ký nhận thẻ tại kiosk. Khi bàn giao thẻ cho Tổ tư vấn,
      ghi mã hồ sơ của Công an (giữ nguyên như trên hệ thống của Công an).`),
    table(["Mã hồ sơ", "Thủ tục", "Người đăng ký", "Đăng ký lúc", "Bàn giao"], queue.items.map((d) => [
      h("a", { href: `#/dossiers/${encodeURIComponent(d.code)}` }, d.code), d.procedure_name || d.procedure_code,
      d.applicant, fmtTime(d.received_at), handOver(d, view),
    ]), { class: "list", id: "cards", "aria-label": "Thẻ Căn cước chờ bàn giao" }),
  );
}
