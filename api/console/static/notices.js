// The dossier page's card "Thông báo cho công dân": every message sent about the dossier (step, channel, status,
// times; no address, no text) from GET /dossiers/{code}/notifications, and the channels the citizen chose, which an
// officer may change at the citizen's request (POST /dossiers/{code}/channels).
import { get, post } from "./api.js";
import { can } from "./auth.js";
import { label, NOTIFY, NOTIFY_STATUS, NOTIFY_STEPS } from "./labels.js";
import { field, fmtTime, form, h, options, table } from "./ui.js";

const CHOICES = [["sms", "zalo", "email"], ["zalo", "sms", "email"], ["email", "sms", "zalo"]];

export async function noticesCard(d) {
  if (!can("GET /dossiers/{code}/notifications")) return null;
  const path = `/dossiers/${encodeURIComponent(d.code)}`;
  const body = h("div", { id: "notices" });
  const show = async () => body.replaceChildren(lines(await get(`${path}/notifications`)));
  await show();
  return h("section", { class: "card", "aria-labelledby": "notices-title" },
    h("h2", { id: "notices-title" }, "Thông báo cho công dân"),
    h("p", { id: "contact-channels" }, "Kênh nhận thông báo: ", chosen(d.contact_channels)),
    body, channelsForm(d, path, show));
}

function chosen(channels) {
  if (!channels?.length) return "chưa chọn (ưu tiên tin nhắn SMS)";
  return channels.map((c) => label(NOTIFY, c)).join(" → ");
}

function lines(notices) {
  return table(["Bước", "Kênh", "Trạng thái", "Số lần gửi", "Yêu cầu lúc", "Gửi lúc", "Đến nơi lúc"],
    notices.map((n) => [label(NOTIFY_STEPS, n.step), label(NOTIFY, n.channel), label(NOTIFY_STATUS, n.status),
      String(n.attempts), fmtTime(n.requested_at), n.sent_at ? fmtTime(n.sent_at) : "—",
      n.delivered_at ? fmtTime(n.delivered_at) : "—"]),
    { id: "notices-table", "aria-label": "Thông báo đã gửi công dân" });
}

function channelsForm(d, path, show) {
  if (!can("POST /dossiers/{code}/channels")) return null;
  const usable = CHOICES.filter(([first]) => (first === "email" ? d.applicant.email : d.applicant.phone));
  const select = h("select", { name: "channels", id: "channels-choice" },
    options(usable.map((order) => [order.join(","), order.map((c) => label(NOTIFY, c)).join(" → ")]),
      d.contact_channels?.join(",")));
  return form({ class: "inline", "aria-label": "Đổi kênh nhận thông báo" },
    [field("Ưu tiên gửi qua", select, "Các kênh sau là dự phòng khi kênh trước không gửi được.")],
    "Đổi kênh nhận thông báo", async (data) => {
      const channels = String(data.get("channels")).split(",");
      const answer = await post(`${path}/channels`, { channels, expected_version: d.version });
      d.version = answer.version;
      d.contact_channels = channels;
      document.getElementById("contact-channels").replaceChildren("Kênh nhận thông báo: ", chosen(channels));
      await show();
    });
}
