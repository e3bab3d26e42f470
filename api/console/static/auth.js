// Who the console acts for: the one place that knows how the API authenticates (POST /auth/login, then
// `Authorization: Bearer <token>`). The session lives in this tab only and ends with the token (15 minutes), unless
// the officer is working: then it is renewed (POST /auth/renew) in the last minutes, so typed work is not lost.
const KEY = "motcua.session";
const RENEW_BEFORE_MS = 3 * 60 * 1000;
let lastActivity = Date.now();
let renewing = null;
for (const type of ["keydown", "input", "pointerdown"]) addEventListener(type, () => { lastActivity = Date.now(); }, true);
setInterval(() => renewSoon(), 30 * 1000);

export class LoginError extends Error {}

export function session() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const s = JSON.parse(raw);
  if (Date.parse(s.expires_at) <= Date.now()) {
    logout();
    return null;
  }
  return s;
}

// Ends the token on the server too (every replica refuses it at once), then forgets it here.
export function logout() {
  const s = session();
  if (s) fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${s.token}`, "Content-Type": "application/json" },
    body: "{}", keepalive: true }).catch(() => {});
  sessionStorage.removeItem(KEY);
}

// A fresh token when the current one ends within 3 minutes and the officer did something since the last one.
export async function renewSoon() {
  const s = session();
  if (!s || Date.parse(s.expires_at) - Date.now() > RENEW_BEFORE_MS || lastActivity < s.renewed_at) return;
  renewing ??= fetch("/auth/renew", { method: "POST", body: "{}",
    headers: { Authorization: `Bearer ${s.token}`, Accept: "application/json", "Content-Type": "application/json" } })
    .then(async (response) => {
      if (!response.ok) return;
      const body = await response.json();
      sessionStorage.setItem(KEY, JSON.stringify({ token: body.token, expires_at: body.expires_at, account: body.account,
        renewed_at: Date.now() }));
    })
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
  if (!response.ok) throw new LoginError(body.message_vi || body.message || "Đăng nhập không thành công.");
  const s = { token: body.token, expires_at: body.expires_at, account: body.account, renewed_at: Date.now() };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function authHeaders() {
  const s = session();
  return s ? { Authorization: `Bearer ${s.token}` } : {};
}
