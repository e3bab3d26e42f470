// Who the console acts for: the one place that knows how the API authenticates (POST /auth/login, then
// `Authorization: Bearer <token>`). The session lives in this tab only and ends with the token (15 minutes).
const KEY = "motcua.session";

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

export function logout() {
  sessionStorage.removeItem(KEY);
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
  const s = { token: body.token, expires_at: body.expires_at, account: body.account };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function authHeaders() {
  const s = session();
  return s ? { Authorization: `Bearer ${s.token}` } : {};
}
