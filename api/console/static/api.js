// Calls to the public API: adds the credentials, turns error bodies into Vietnamese messages. When the session has
// ended (401) the page stays as it is: a dialog asks for the password again and the same request is sent again, so
// nothing typed is lost. Only if the officer declines does the console go to the login page (keeping a draft).
import { authHeaders, lastAccount, login, logout, renewSoon } from "./auth.js";
import { errorText } from "./labels.js";
import { h } from "./ui.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const BY_STATUS = {
  400: "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.",
  401: "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
  403: "Tài khoản của bạn không có quyền thực hiện thao tác này.",
  404: "Không tìm thấy dữ liệu yêu cầu.",
  503: "Hệ thống đang cập nhật, vui lòng thử lại sau giây lát.",
};

export async function request(method, path, body) {
  await renewSoon();
  let response = await send(method, path, body);
  if (response.status === 401 && !path.startsWith("/auth/")) {
    if (await signInAgain()) response = await send(method, path, body);
    else {
      leaveForLogin();
      throw new ApiError(401, "unauthenticated", BY_STATUS[401]);
    }
  }
  if (response.ok) return response;
  throw await errorOf(response);
}

async function send(method, path, body) {
  const headers = { Accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network", "Không kết nối được với máy chủ, vui lòng kiểm tra mạng.");
  }
}

async function errorOf(response) {
  const body = await response.json().catch(() => ({}));
  const code = body.error || `http_${response.status}`;
  if (code === "version_conflict" || code === "conflict") {
    return Object.assign(new ApiError(409, code, errorText("version_conflict")), { stale: true });
  }
  // Never the English `message`: our own sentence for the code, else the server's Vietnamese one, else the status's.
  let message = errorText(code, body.details) || body.message_vi || BY_STATUS[response.status]
    || `Lỗi máy chủ (${response.status}), vui lòng thử lại sau.`;
  const fields = (body.details?.problems || []).map((p) => p.key).filter(Boolean);
  if (fields.length) message += ` (trường: ${[...new Set(fields)].join(", ")})`;
  return new ApiError(response.status, code, message);
}

// One dialog for all the requests that failed at once; resolves true once signed in again as the same account.
let asking = null;
function signInAgain() {
  const account = lastAccount();
  if (!account) return Promise.resolve(false);
  asking ??= new Promise((resolve) => {
    const password = h("input", { type: "password", name: "password", id: "relogin-password", required: true,
      autocomplete: "current-password" });
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const dialog = h("dialog", { id: "relogin", "aria-labelledby": "relogin-title" });
    const finish = (ok) => {
      dialog.close();
      dialog.remove();
      asking = null;
      resolve(ok);
    };
    const el = h("form", { method: "dialog" },
      h("h2", { id: "relogin-title" }, "Phiên đăng nhập đã hết hạn"),
      h("p", {}, `Nhập lại mật khẩu của ${account.name} để tiếp tục; những gì bạn đã nhập trên trang vẫn được giữ nguyên.`),
      h("div", { class: "field" }, h("label", { for: "relogin-password" }, "Mật khẩu"), password), error,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Tiếp tục"),
        h("button", { type: "button", class: "secondary", onclick: () => finish(false) }, "Đăng nhập lại từ đầu")));
    el.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await login(account.username, password.value);
        finish(true);
      } catch (failure) {
        error.replaceChildren(failure.message);
        error.hidden = false;
        password.select();
      }
    });
    dialog.addEventListener("cancel", (event) => event.preventDefault());  // Escape does not throw the work away
    dialog.append(el);
    document.body.append(dialog);
    dialog.showModal();
    password.focus();
  });
  return asking;
}

function leaveForLogin() {
  if (location.hash.startsWith("#/login")) return;
  sessionStorage.setItem("motcua.after-login", location.hash);
  saveDraft();
  logout();
  location.hash = "#/login";
}

// What the officer typed on the page survives a re-login from scratch: app.js puts it back when the page is shown.
function saveDraft() {
  const fields = [...document.querySelectorAll("main input, main textarea, main select")]
    .filter((field) => field.type !== "password" && field.type !== "file");
  sessionStorage.setItem("motcua.draft", JSON.stringify({ hash: location.hash, values: fields.map((field) =>
    (field.type === "checkbox" || field.type === "radio" ? field.checked : field.value)) }));
}

export function restoreDraft(view) {
  const draft = JSON.parse(sessionStorage.getItem("motcua.draft") || "null");
  if (!draft || draft.hash !== location.hash) return;
  sessionStorage.removeItem("motcua.draft");
  const fields = [...view.querySelectorAll("input, textarea, select")]
    .filter((field) => field.type !== "password" && field.type !== "file");
  fields.forEach((field, i) => {
    if (i >= draft.values.length) return;
    if (field.type === "checkbox" || field.type === "radio") field.checked = draft.values[i];
    else field.value = draft.values[i];
  });
}

export const get = async (path) => (await request("GET", path)).json();
export const post = async (path, body) => (await request("POST", path, body)).json();

export async function text(path) {
  return (await request("GET", path)).text();
}

export async function blob(path) {
  return (await request("GET", path)).blob();
}

// Save a CSV/PDF export: fetched with the credentials, since a plain link would not carry them.
export async function download(path, fallbackName) {
  const response = await request("GET", path);
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

// Read-your-writes: wait until a read model has processed our write before reloading lists.
export async function caughtUp(model, position) {
  return get(`/views/${model}/wait?position=${position}&timeout=10`);
}

// For commands whose answer carries no log position (tray loading), the log head covers our write.
export async function logHead() {
  return (await get("/health")).events;
}

// The signed files the system issued for a dossier (public register: hashes, signers, times); none → empty list.
export async function signatures(code) {
  const response = await fetch(`/verify?code=${encodeURIComponent(code)}`, { headers: { Accept: "application/json" } });
  if (response.status === 404) return [];
  if (!response.ok) throw await errorOf(response);
  return (await response.json()).files;
}

let reference = null;
export async function catalogue() {
  reference ??= get("/console/reference").catch((error) => {
    reference = null;
    throw error;
  });
  return reference;
}
