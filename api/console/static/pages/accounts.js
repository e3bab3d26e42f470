// Quản trị: staff accounts (create with role and agency/department, reset password, disable/enable, audited history)
// and kiosks (install with trays, the device account and its secret, reset of the secret).
import { catalogue, get, post } from "../api.js";
import { go, notice } from "../app.js";
import { field, fmtTime, form, h, label, options, ROLES, table } from "../ui.js";
import { askText, confirmDialog, useStyles } from "../workday.js";

export const page = { route: "accounts", title: "Tài khoản và kiosk", needs: ["GET /accounts", "POST /accounts"], menu: true };

const STAFF_ROLES = ["reception_officer", "department_officer", "consultant", "police_officer", "signer", "auditor", "analyst", "administrator"];
const DEPARTMENT_ROLES = new Set(["department_officer", "police_officer"]);
const POLICY = "Ít nhất 12 ký tự, không chứa tên đăng nhập, không phải mật khẩu phổ biến.";

// A device secret: 24 random bytes in hex, shown once to be typed into the kiosk's configuration.
const newSecret = () => [...crypto.getRandomValues(new Uint8Array(24))].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function render(view, { session }) {
  useStyles();
  const [accounts, ref] = await Promise.all([get("/accounts"), catalogue()]);
  const history = h("section", { class: "card", id: "account-history", hidden: true, "aria-live": "polite" });
  const staff = accounts.filter((a) => a.role !== "kiosk");
  const kiosks = accounts.filter((a) => a.role === "kiosk");
  const unit = (a) => ref.departments.find((d) => d.code === a.department)?.name || ref.agencies.find((x) => x.code === a.agency)?.name || a.agency;
  view.append(h("h1", {}, "Tài khoản và kiosk"),
    h("div", { class: "columns" },
      h("section", { class: "card", "aria-labelledby": "staff-title" }, h("h2", { id: "staff-title" }, `Tài khoản cán bộ (${staff.length})`),
        table(["Tên đăng nhập", "Họ tên", "Vai trò", "Đơn vị", "Trạng thái", "Thao tác"], staff.map((a) => [a.username, a.name,
          label(ROLES, a.role), unit(a), a.enabled ? "Đang hoạt động" : h("span", { class: "badge danger" }, "Đã khóa"),
          rowActions(a, history, ref)]), { class: "list", id: "accounts" })),
      h("div", {}, createForm(ref, session), history)),
    h("div", { class: "columns" }, kioskList(kiosks, history), installForm(ref, session)));
}

function rowActions(a, history, ref) {
  return h("div", { class: "row-actions", "data-account": a.username },
    h("button", { type: "button", class: "secondary", onclick: () => showHistory(a.username, history) }, "Lịch sử"), " ",
    h("button", { type: "button", class: "secondary", onclick: () => reassign(a, ref) }, "Đổi vai trò"), " ",
    h("button", { type: "button", class: "secondary", onclick: () => resetPassword(a) }, "Đặt lại mật khẩu"), " ",
    h("button", { type: "button", class: a.enabled ? "danger" : "secondary", onclick: () => toggle(a) }, a.enabled ? "Khóa" : "Mở khóa"));
}

async function showHistory(username, el) {
  const found = await get(`/accounts/${encodeURIComponent(username)}/history`);
  el.hidden = false;
  el.replaceChildren(h("h2", {}, `Lịch sử tài khoản ${username}`), table(["Thời điểm", "Người thực hiện", "Sự kiện", "Nội dung"],
    found.entries.map((e) => [fmtTime(e.at), `${e.account_id} (${e.role_label})`, e.label, e.summary])));
  el.scrollIntoView();
}

// The new password is typed by the administrator and handed to the officer; their old sessions end.
async function resetPassword(a) {
  const password = await askText(`Đặt lại mật khẩu cho ${a.username}`, "Mật khẩu mới", { type: "password", hint: POLICY, minlength: 12 });
  if (!password) return;
  try {
    await post(`/accounts/${encodeURIComponent(a.username)}/password`, { password });
    notice(`Đã đặt lại mật khẩu cho ${a.username}; các phiên đăng nhập cũ đã kết thúc.`);
  } catch (failure) {
    notice(`Không đặt lại được mật khẩu: ${failure.message}`);
  }
}

async function toggle(a) {
  const reason = a.enabled ? await askText(`Khóa tài khoản ${a.username}`, "Lý do khóa") : "Mở khóa";
  if (!reason) return;
  if (a.enabled && !await confirmDialog(`Khóa tài khoản ${a.username}?`, ["Mọi phiên đăng nhập của tài khoản kết thúc ngay.",
    `Lý do: ${reason}`], "Khóa tài khoản")) return;
  try {
    await post(`/accounts/${encodeURIComponent(a.username)}/enabled`, { enabled: !a.enabled, reason });
    notice(a.enabled ? `Đã khóa tài khoản ${a.username}.` : `Đã mở khóa tài khoản ${a.username}.`);
    go(location.hash);
  } catch (failure) {
    notice(failure.message);
  }
}

// The role, agency and department pickers of both the create form and the reassignment dialog.
function unitFields(ref, current) {
  const role = h("select", { name: "role", required: true }, options(STAFF_ROLES.map((r) => [r, label(ROLES, r)]), current.role));
  const agency = h("select", { name: "agency", required: true }, options(ref.agencies.map((a) => [a.code, a.name]), current.agency));
  const department = h("select", { name: "department" });
  const departments = () => department.replaceChildren(h("option", { value: "" }, "— Không thuộc phòng —"),
    ...options(ref.departments.filter((d) => d.agency === agency.value).map((d) => [d.code, d.name]), current.department || ""));
  agency.addEventListener("change", departments);
  departments();
  return [field("Vai trò", role), field("Cơ quan", agency), field("Phòng ban", department, "Bắt buộc với cán bộ phòng chuyên môn và công an.")];
}

function unitOf(data) {
  const body = { role: String(data.get("role")), agency: String(data.get("agency")) };
  if (data.get("department")) body.department = String(data.get("department"));
  else if (DEPARTMENT_ROLES.has(body.role)) throw new Error("Vai trò này cần chọn phòng ban.");
  return body;
}

// Điều động: a new role or unit in a dialog; the officer's sessions end once it is saved.
function reassign(a, ref) {
  const dialog = h("dialog", { class: "confirm", "aria-labelledby": "reassign-title" });
  const close = () => { dialog.close(); dialog.remove(); };
  const el = form({ "aria-label": `Đổi vai trò ${a.username}` }, [h("h2", { id: "reassign-title" }, `Đổi vai trò, đơn vị của ${a.name}`),
    ...unitFields(ref, a), h("p", { class: "hint" }, "Các phiên đăng nhập của tài khoản kết thúc ngay khi lưu.")], "Lưu", async (data) => {
    const changed = await post(`/accounts/${encodeURIComponent(a.username)}/assignment`, unitOf(data));
    close();
    notice(`Đã đổi ${changed.username} sang ${label(ROLES, changed.role)}.`);
    go(location.hash);
  });
  el.querySelector(".actions").append(" ", h("button", { type: "button", class: "secondary", onclick: close }, "Quay lại"));
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(); });
  dialog.append(el);
  document.body.append(dialog);
  dialog.showModal();
}

function createForm(ref, session) {
  return h("section", { class: "card", "aria-labelledby": "create-title" }, h("h2", { id: "create-title" }, "Tạo tài khoản cán bộ"),
    form({ "aria-label": "Tạo tài khoản cán bộ", id: "create-account" }, [
      field("Tên đăng nhập", h("input", { name: "username", required: true, pattern: "[a-z0-9._-]{2,64}", autocomplete: "off" }),
        "Chữ thường không dấu, số, dấu chấm."),
      field("Họ và tên", h("input", { name: "name", required: true, maxlength: 200 })),
      ...unitFields(ref, { role: "reception_officer", agency: session.account.agency }),
      field("Mật khẩu ban đầu", h("input", { name: "password", type: "password", required: true, minlength: 12, autocomplete: "new-password" }), POLICY),
    ], "Tạo tài khoản", async (data) => {
      const body = { ...Object.fromEntries(["username", "name", "password"].map((k) => [k, String(data.get(k)).trim()])), ...unitOf(data) };
      const created = await post("/accounts", body);
      notice(`Đã tạo tài khoản ${created.username} (${label(ROLES, created.role)}).`);
      go(location.hash);
    }));
}

function kioskList(kiosks, history) {
  return h("section", { class: "card", "aria-labelledby": "kiosks-title" }, h("h2", { id: "kiosks-title" }, `Kiosk (${kiosks.length})`),
    table(["Kiosk", "Tài khoản thiết bị", "Trạng thái", "Thao tác"], kiosks.map((a) => [
      h("a", { href: `#/kiosks/${encodeURIComponent(a.kiosk)}` }, a.kiosk), a.username, a.enabled ? "Đang hoạt động" : "Đã khóa",
      h("div", { class: "row-actions", "data-kiosk": a.kiosk },
        h("button", { type: "button", class: "secondary", onclick: () => resetSecret(a) }, "Cấp lại khóa thiết bị"), " ",
        h("button", { type: "button", class: "secondary", onclick: () => showHistory(a.username, history) }, "Lịch sử"))]),
    { class: "list", id: "kiosk-accounts" }), h("p", { id: "secret", class: "secret", role: "status", hidden: true }));
}

function showSecret(key, secret) {
  const el = document.getElementById("secret");
  el.hidden = false;
  el.replaceChildren(`Khóa thiết bị mới của kiosk ${key} (chỉ hiện một lần, nhập vào cấu hình kiosk): `, h("code", {}, secret));
}

async function resetSecret(a) {
  if (!await confirmDialog(`Cấp lại khóa thiết bị kiosk ${a.kiosk}?`, ["Khóa cũ hết hiệu lực ngay; kiosk phải được cấu hình khóa mới."],
    "Cấp khóa mới")) return;
  const secret = newSecret();
  try {
    await post(`/accounts/${encodeURIComponent(a.username)}/password`, { password: secret });
    showSecret(a.kiosk, secret);
    notice(`Đã cấp lại khóa thiết bị kiosk ${a.kiosk}.`);
  } catch (failure) {
    notice(failure.message);
  }
}

function installForm(ref, session) {
  const done = h("div", { role: "status", id: "installed" });
  return h("section", { class: "card", "aria-labelledby": "install-title" }, h("h2", { id: "install-title" }, "Lắp đặt kiosk mới"), done,
    form({ "aria-label": "Lắp đặt kiosk mới", id: "install-kiosk" }, [
      field("Mã kiosk", h("input", { name: "key", required: true, pattern: "[A-Z0-9][A-Z0-9-]{1,30}", placeholder: "Q6-02" })),
      field("Tên kiosk", h("input", { name: "name", required: true, maxlength: 200, placeholder: "Kiosk 24/7 Phường 1" })),
      field("Cơ quan", h("select", { name: "agency", required: true }, options(ref.agencies.map((a) => [a.code, a.name]), session.account.agency))),
      field("Số khay", h("input", { name: "tray_count", type: "number", min: 1, max: 500, required: true, value: "90" })),
    ], "Lắp đặt và tạo tài khoản thiết bị", async (data) => {
      const key = String(data.get("key")).trim();
      await post("/kiosks", { key, name: String(data.get("name")).trim(), agency: data.get("agency"), tray_count: Number(data.get("tray_count")) });
      const secret = newSecret();
      await post("/accounts", { username: `kiosk.${key.toLowerCase()}`, password: secret, name: `Kiosk ${key}`, role: "kiosk",
        agency: data.get("agency"), kiosk: key });
      // Shown here once, not after a reload: the secret is never stored in the browser.
      done.replaceChildren(h("p", {}, `Đã lắp đặt kiosk ${key} và tạo tài khoản thiết bị kiosk.${key.toLowerCase()}. `,
        h("a", { href: `#/kiosks/${encodeURIComponent(key)}` }, "Xem lưới khay"), " · ",
        h("button", { type: "button", class: "link", onclick: () => go(location.hash) }, "Tải lại danh sách")),
      h("p", { class: "secret" }, "Khóa thiết bị (chỉ hiện một lần, nhập vào cấu hình kiosk): ", h("code", { id: "new-secret" }, secret)));
    }));
}
