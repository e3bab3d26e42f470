// Việc hằng ngày tại kiosk (tổ tư vấn): the 08:00/14:00 collection counted by banknote with the discrepancy shown
// before confirming, then the batch handover to a department; envelopes, trays and overdue results (routines-more.js).
import { caughtUp, get, post } from "../api.js";
import { go, notice } from "../app.js";
import { envelopeCard, overdueCard, trayCard } from "../routines-more.js";
import { field, fmtMoney, fmtTime, form, h, kioskForm, label, options, ROLES } from "../ui.js";
import { confirmDialog, DENOMINATIONS, useStyles } from "../workday.js";

export const page = { route: "routines", title: "Việc hằng ngày tại kiosk", needs: ["POST /kiosks/{key}/collections",
  "POST /kiosks/{key}/envelope-batches", "POST /kiosks/{key}/trays/{number}/service"], menu: true, kiosk: true };

export async function render(view, { args }) {
  useStyles();
  const key = args[0];
  if (!key) {
    view.append(h("h1", {}, "Việc hằng ngày tại kiosk"), kioskForm("#/routines"));
    return;
  }
  const kiosk = await get(`/kiosks/${encodeURIComponent(key)}`);
  const handover = h("div", { id: "handover-slot" });
  view.append(h("h1", {}, `Việc hằng ngày tại ${kiosk.name} (${kiosk.key})`),
    h("nav", { class: "toolbar", "aria-label": "Các việc" }, ["collection", "envelopes", "trays", "overdue"].map((id) =>
      h("a", { href: `#${id}-title`, onclick: (event) => { event.preventDefault(); view.querySelector(`#${id}-title`).scrollIntoView(); } },
        { collection: "Thu hồ sơ và tiền", envelopes: "Phong bì", trays: "Khay", overdue: "Quá hạn" }[id]))),
    h("div", { class: "columns" },
      h("div", {}, collectionCard(kiosk, (report) => handover.replaceChildren(handoverCard(report))), handover),
      h("div", {}, envelopeCard(kiosk), trayCard(kiosk))),
    await overdueCard(kiosk));
}

// Count each banknote; the total and the difference from what the machine recorded update as one types.
function collectionCard(kiosk, collected) {
  const counts = DENOMINATIONS.map((value) => h("input", { type: "number", min: 0, max: 100000, step: 1, value: "0",
    name: `n${value}`, inputmode: "numeric", "data-value": value }));
  const total = h("output", { id: "cash-total" }, fmtMoney(0));
  const gap = h("output", { id: "cash-gap" });
  const sum = () => counts.reduce((s, input) => s + Number(input.dataset.value) * Math.max(0, Number(input.value) || 0), 0);
  const update = () => {
    const diff = sum() - kiosk.cash_expected;
    total.textContent = fmtMoney(sum());
    gap.textContent = diff === 0 ? "Khớp với số máy ghi nhận" : `${diff > 0 ? "Thừa" : "Thiếu"} ${fmtMoney(Math.abs(diff))} so với số máy ghi nhận`;
    gap.className = diff === 0 ? "ok" : "error";
  };
  counts.forEach((input) => input.addEventListener("input", update));
  update();
  const card = h("section", { class: "card", "aria-labelledby": "collection-title" },
    h("h2", { id: "collection-title" }, "Thu hồ sơ và tiền (08:00 / 14:00)"),
    h("p", {}, `Trong thùng: ${kiosk.bin.length} phong bì. Tiền máy ghi nhận: `, h("strong", { id: "cash-expected" }, fmtMoney(kiosk.cash_expected))),
    form({ "aria-label": "Kiểm đếm tiền", class: "notes" }, [
      h("table", { class: "count-table" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Mệnh giá"), h("th", { scope: "col" }, "Số tờ"))),
        h("tbody", {}, DENOMINATIONS.map((value, i) => h("tr", {}, h("th", { scope: "row" }, h("label", { for: `note-${value}` }, fmtMoney(value))),
          h("td", {}, Object.assign(counts[i], { id: `note-${value}` })))))),
      h("p", {}, "Tổng đếm được: ", total), h("p", { role: "status" }, gap),
    ], "Xác nhận thu", async () => {
      const counted = sum();
      const diff = counted - kiosk.cash_expected;
      const lines = [`${kiosk.bin.length} phong bì; tiền máy ghi nhận ${fmtMoney(kiosk.cash_expected)}, đếm được ${fmtMoney(counted)}.`,
        diff === 0 ? "Số tiền khớp." : `Chênh lệch ${diff > 0 ? "thừa" : "thiếu"} ${fmtMoney(Math.abs(diff))}: sẽ được ghi vào sổ quỹ.`];
      if (!await confirmDialog("Xác nhận đã thu hồ sơ và tiền?", lines, "Xác nhận thu")) return;
      const report = await post(`/kiosks/${encodeURIComponent(kiosk.key)}/collections`, { cash_counted: counted });
      notice(`Đã thu ${report.envelopes.length} phong bì và ${fmtMoney(report.cash_counted)} lúc ${fmtTime(report.at)}.`);
      // The figures above are now history: show what was recorded instead of a form that would count them again.
      card.replaceChildren(h("h2", { id: "collection-title" }, "Đã thu hồ sơ và tiền"), h("p", { id: "collection-report" },
        `${report.envelopes.length} phong bì; máy ghi nhận ${fmtMoney(report.cash_expected)}, đếm được ${fmtMoney(report.cash_counted)}`,
        report.discrepancy ? `, chênh lệch ${fmtMoney(report.discrepancy)} đã ghi vào sổ quỹ.` : ", khớp."),
      h("p", {}, h("a", { href: location.hash, onclick: (event) => { event.preventDefault(); go(location.hash); } }, "Làm mới")));
      collected(report);
    }));
  return card;
}

// The collected envelopes go to departments: tick dossiers, pick the receiver from real staff who may take them all.
function handoverCard(report) {
  const codes = report.envelopes.map((e) => e.dossier_code);
  if (!codes.length) return h("p", { class: "card" }, "Không có phong bì nào để giao.");
  const receiver = h("select", { name: "receiver", required: true }, h("option", { value: "" }, "Đang tải danh sách…"));
  const boxes = codes.map((code, i) => h("div", { class: "check" }, h("input", { type: "checkbox", name: "code", value: code, id: `handover-${i}`, checked: true }),
    h("label", { for: `handover-${i}` }, code)));
  get(`/dossiers/${encodeURIComponent(codes[0])}/handover-receivers`).then((list) => receiver.replaceChildren(
    h("option", { value: "" }, "— Chọn người nhận —"), ...options(list.map((x) => [x.account_id, `${x.name} — ${label(ROLES, x.role)}, ${x.unit}`]))),
  (failure) => receiver.replaceChildren(h("option", { value: "" }, `Không tải được danh sách: ${failure.message}`)));
  return h("section", { class: "card", "aria-labelledby": "handover-title" }, h("h2", { id: "handover-title" }, "Giao hồ sơ cho phòng chuyên môn"),
    form({ "aria-label": "Giao hồ sơ vừa thu" }, [h("fieldset", {}, h("legend", {}, "Hồ sơ giao"), boxes),
      field("Nội dung giao", h("input", { name: "item", required: true, maxlength: 200, value: "Hồ sơ giấy thu từ kiosk" })),
      field("Người nhận", receiver, "Người nhận xác nhận trên tài khoản của mình.")], "Ghi sổ giao nhận", async (data) => {
      const written = await post("/kiosks/handovers", { codes: data.getAll("code"), item: String(data.get("item")).trim(),
        receiver: data.get("receiver") });
      await caughtUp("handover_book", written.position);
      notice(`Đã ghi sổ giao nhận ${data.getAll("code").length} hồ sơ.`);
    }));
}
