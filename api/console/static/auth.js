// Who the console acts for: the one place that knows how the API authenticates (POST /auth/login, then
// `Authorization: Bearer <token>`). One session per browser, shared by its tabs: it lives in localStorage (same
// origin only) and every change (login, renewal, logout) is announced on a BroadcastChannel, so a new tab needs no
// login and a logout ends every tab. The token still ends after 15 minutes unless the officer works in some tab: then
// one tab (a Web Lock elects it) renews it (POST /auth/renew) in the last minutes. docs/SECURITY.md has the rules.
const KEY = "motcua.session";
const ACTIVITY = "motcua.activity";
const RENEW_BEFORE_MS = 3 * 60 * 1000;
const channel = "BroadcastChannel" in window ? new BroadcastChannel("motcua.session") : null;
const listeners = new Set();
let renewing = null;

// Activity in any tab counts: the newest moment is shared (written at most every 10 s).
let lastWritten = 0;
for (const type of ["keydown", "input", "pointerdown"]) {
  addEventListener(type, () => {
    if (Date.now() - lastWritten < 10000) return;
    lastWritten = Date.now();
    localStorage.setItem(ACTIVITY, String(lastWritten));
  }, true);
}
setInterval(() => renewSoon(), 30 * 1000);

export class LoginError extends Error {}

// `what` is "login", "renew" or "logout"; called for changes made in other tabs too.
export function onSessionChange(listener) {
  listeners.add(listener);
}

function announce(what) {
  channel?.postMessage(what);
}

channel?.addEventListener("message", (event) => listeners.forEach((listener) => listener(event.data)));

function stored() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

function store(s, what) {
  localStorage.setItem(KEY, JSON.stringify(s));
  announce(what);
}

// The current session, or null once its token has expired (the account stays known for signing in again).
export function session() {
  const s = stored();
  return s && Date.parse(s.expires_at) > Date.now() ? s : null;
}

// The account of the last session in this browser, expired or not: the re-login dialog asks only for the password.
export const lastAccount = () => stored()?.account || null;

// Whether the caller's role may call an operation "METHOD /path/{param}" (GET /console/capabilities, built from
// the rules the API enforces). Scope (which agency, which dossier) is still the server's decision on each call.
export function can(operation) {
  return Boolean(session()?.operations?.includes(operation));
}

export const canAll = (operations) => (operations || []).every(can);

// Ends the token on the server too (every replica refuses it at once), then forgets it in every tab.
export function logout() {
  const s = stored();
  if (s && Date.parse(s.expires_at) > Date.now()) {
    fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${s.token}`, "Content-Type": "application/json" },
      body: "{}", keepalive: true }).catch(() => {});
  }
  localStorage.removeItem(KEY);
  announce("logout");
}

async function capabilities(token) {
  const response = await fetch("/console/capabilities", { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
  if (!response.ok) throw new LoginError("Không tải được quyền của tài khoản, vui lòng đăng nhập lại.");
  return (await response.json()).operations;
}

async function begin(body, what) {
  const s = { token: body.token, expires_at: body.expires_at, account: body.account, renewed_at: Date.now() };
  s.operations = await capabilities(body.token);  // renewal reads the account again: its role may have changed
  store(s, what);
  return s;
}

// A fresh token when the current one ends within 3 minutes and the officer did something since the last renewal.
// One tab renews: the others wait on the lock, then find the new token and do nothing.
export async function renewSoon() {
  const due = () => {
    const s = session();
    const active = Number(localStorage.getItem(ACTIVITY) || 0);
    return s && Date.parse(s.expires_at) - Date.now() <= RENEW_BEFORE_MS && active >= s.renewed_at ? s : null;
  };
  if (!due()) return;
  const renew = async () => {
    const s = due();
    if (!s) return;
    const response = await fetch("/auth/renew", { method: "POST", body: "{}",
      headers: { Authorization: `Bearer ${s.token}`, Accept: "application/json", "Content-Type": "application/json" } });
    if (response.ok) await begin(await response.json(), "renew");
  };
  renewing ??= (navigator.locks ? navigator.locks.request("motcua.renew", renew) : renew())
    .catch(() => {})
    .finally(() => { renewing = null; });
  return renewing;
}

export async function login(username, password) {
  let response;
  try {
    response = await fetch("/auth/login", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    throw new LoginError("Không kết nối được với máy chủ, vui lòng kiểm tra mạng.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new LoginError(body.message_vi || "Đăng nhập không thành công.");
  return begin(body, "login");
}

export function authHeaders() {
  const s = session();
  return s ? { Authorization: `Bearer ${s.token}` } : {};
}
