// Calls to the public API: adds the credentials, turns error bodies into Vietnamese messages.
import { authHeaders, logout, renewSoon } from "./auth.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const CONFLICT = "Hồ sơ đã thay đổi, tải lại trang để xem trạng thái mới rồi thử lại.";
const BY_STATUS = {
  400: "Dữ liệu gửi lên không hợp lệ, vui lòng kiểm tra lại.",
  401: "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
  403: "Tài khoản của bạn không có quyền thực hiện thao tác này.",
  404: "Không tìm thấy dữ liệu yêu cầu.",
  503: "Hệ thống đang cập nhật, vui lòng thử lại sau giây lát.",
};

export async function request(method, path, body) {
  await renewSoon();
  const headers = { Accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network", "Không kết nối được với máy chủ, vui lòng kiểm tra mạng.");
  }
  if (response.ok) return response;
  throw await errorOf(response);
}

async function errorOf(response) {
  const body = await response.json().catch(() => ({}));
  const code = body.code || body.error || `http_${response.status}`;
  if (response.status === 401) {
    // Several requests may fail at once: remember the page the officer was on, not the login page.
    if (!location.hash.startsWith("#/login")) {
      sessionStorage.setItem("motcua.after-login", location.hash);
      saveDraft();
    }
    logout();
    location.hash = "#/login";
  }
  if (code === "version_conflict" || code === "conflict") return Object.assign(new ApiError(409, code, CONFLICT), { stale: true });
  let message = body.message_vi || (body.code ? body.message : null) || BY_STATUS[response.status]
    || `Lỗi máy chủ (${response.status}), vui lòng thử lại sau.`;
  const fields = (body.details?.problems || []).map((p) => p.key).filter(Boolean);
  if (fields.length) message += ` (trường: ${[...new Set(fields)].join(", ")})`;
  return new ApiError(response.status, code, message);
}

// What the officer typed on the page survives a forced re-login: app.js puts it back when the page is shown again.
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

let reference = null;
export async function catalogue() {
  reference ??= get("/console/reference").catch((error) => {
    reference = null;
    throw error;
  });
  return reference;
}
