// Việc trong ngày: each kiosk's 08:00 / 14:00 collections and 16:00 loading with their status (chưa làm, đã làm lúc
// HH:MM bởi …, trễ), and the citizens to contact after a result was pulled back from its tray, with the outcome form.
import { get, post } from "../api.js";
import { go, notice } from "../app.js";
import { can } from "../auth.js";
import { CONTACT_OUTCOMES, label, ROUTINE_SLOTS } from "../labels.js";
import { field, fmtDate, fmtTime, form, h, options, table, today } from "../ui.js";

export const page = { route: "tasks", title: "Việc trong ngày", needs: ["GET /views/tasks/routines"], menu: true };

const hhmm = (iso) => new Date(iso).toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit" });

// The status as the team says it; late and pending routines are not done yet.
export function routineStatus(task) {
  if (task.status === "done") return h("span", { class: "badge" }, `Đã làm lúc ${hhmm(task.done_at)} bởi ${task.done_by || "—"}`);
  if (task.status === "late") return h("span", { class: "badge danger" }, task.reminded ? "Trễ (đã nhắc Tổ tư vấn)" : "Trễ");
  return h("span", { class: "badge" }, "Chưa làm");
}

export async function render(view, { query }) {
  const day = query.get("date") || today();
  const tasks = await get(`/views/tasks/routines?date=${encodeURIComponent(day)}`);
  const picker = form({ "aria-label": "Chọn ngày", class: "inline" }, [field("Ngày", h("input", { type: "date", name: "date", value: day, required: true }))],
    "Xem", async (data) => go(`#/tasks?date=${encodeURIComponent(String(data.get("date")))}`));
  view.append(h("h1", {}, `Việc trong ngày ${fmtDate(day)}`), picker,
    tasks.length
      ? table(["Kiosk", "Việc", "Giờ", "Trạng thái"], tasks.map((t) => [
        h("a", { href: `#/routines/${encodeURIComponent(t.kiosk)}` }, t.kiosk), label(ROUTINE_SLOTS, t.slot), hhmm(t.due_at), routineStatus(t),
      ]), { class: "list", id: "routine-tasks" })
      : h("p", { id: "routine-tasks" }, "Chưa có việc nào trong ngày này."));
  if (can("GET /views/tasks/follow-ups")) view.append(await followUpCard());
}

async function followUpCard() {
  const items = await get("/views/tasks/follow-ups");
  const record = can("POST /counter/dossiers/{code}/contacts");
  return h("section", { class: "card", "aria-labelledby": "follow-ups-title" }, h("h2", { id: "follow-ups-title" }, "Liên hệ công dân (kết quả đã thu hồi)"),
    items.length ? table(["Mã hồ sơ", "Kiosk, khay", "Thu hồi lúc", "Kết quả liên hệ"], items.map((x) => [
      h("a", { href: `#/dossiers/${encodeURIComponent(x.dossier_code)}` }, x.dossier_code), `${x.kiosk}, khay ${x.tray}`,
      fmtTime(x.opened_at), record ? outcomeForm(x.dossier_code) : "Chưa liên hệ",
    ]), { class: "list", id: "follow-ups" }) : h("p", { id: "follow-ups" }, "Không còn công dân nào cần liên hệ."));
}

function outcomeForm(code) {
  return form({ "aria-label": `Kết quả liên hệ hồ sơ ${code}`, class: "inline" }, [
    field("Kết quả", h("select", { name: "outcome", required: true }, options(Object.entries(CONTACT_OUTCOMES))))], "Ghi kết quả", async (data, el) => {
    await post(`/counter/dossiers/${encodeURIComponent(code)}/contacts`, { outcome: data.get("outcome") });
    notice(`Đã ghi kết quả liên hệ hồ sơ ${code}: ${label(CONTACT_OUTCOMES, data.get("outcome"))}.`);
    el.replaceWith(h("span", { class: "ok" }, `Đã ghi: ${label(CONTACT_OUTCOMES, data.get("outcome"))}`));
  });
}
