// Đăng nhập.
import { go } from "../app.js";
import { catalogue } from "../api.js";
import { lastAccount, login } from "../auth.js";
import { label, ROLES } from "../labels.js";
import { field, form, h, table } from "../ui.js";

export const page = { route: "login", title: "Đăng nhập", needs: [], menu: false };

export async function render(view) {
  const username = h("input", { name: "username", autocomplete: "username", required: true, autofocus: true,
    value: lastAccount()?.username || "" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const resuming = sessionStorage.getItem("motcua.after-login");
  view.append(h("h1", {}, "Đăng nhập"));
  if (resuming) view.append(h("p", {}, "Phiên làm việc đã kết thúc hoặc chưa đăng nhập: đăng nhập để tiếp tục."));
  view.append(
    form({ class: "card narrow", "aria-label": "Đăng nhập" }, [field("Tên đăng nhập", username), field("Mật khẩu", password)],
      "Đăng nhập", async (data) => {
        await login(data.get("username").trim(), data.get("password"));
        const next = sessionStorage.getItem("motcua.after-login");
        sessionStorage.removeItem("motcua.after-login");
        go(next && !next.startsWith("#/login") ? next : "#/");
      }),
  );
  const demo = (await catalogue()).demo_logins;
  if (demo.length) {
    view.append(h("section", { class: "card demo", "aria-labelledby": "demo-title" },
      h("h2", { id: "demo-title" }, "Tài khoản dùng thử (chế độ demo)"),
      table(["Tên đăng nhập", "Mật khẩu", "Họ tên", "Vai trò"], demo.map((d) => [d.username, d.password, d.name,
        label(ROLES, d.role)]), { id: "demo-logins" })));
  }
}
