// Hash router: #/page/arg?query → pages/<page>.js render(main, {args, query}); login guard; header.
import { restoreDraft } from "./api.js";
import { logout, session } from "./auth.js";
import { h, label, lastKiosk, ROLES } from "./ui.js";

const PAGES = new Set(["login", "queues", "dossiers", "kiosks", "overdue", "books", "reports", "kiosk-staff", "audit",
  "counter", "routines", "search", "accounts"]);
const KIOSK_PAGES = new Set(["kiosks", "overdue", "kiosk-staff", "routines"]);
const main = document.getElementById("main");

export function notice(text) {
  const el = document.getElementById("notice");
  el.textContent = text || "";
  el.hidden = !text;
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function parse() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [page, ...args] = path.split("/").map(decodeURIComponent);
  return { page: page || "queues", args, query: new URLSearchParams(query) };
}

function header(s) {
  document.getElementById("nav").hidden = !s;
  const who = document.getElementById("who");
  who.replaceChildren();
  if (!s) return;
  who.append(`${s.account.name} · ${label(ROLES, s.account.role)} `,
    h("button", { type: "button", class: "link", onclick: () => { logout(); go("#/login"); } }, "Đăng xuất"));
}

let current = 0;
async function route() {
  const { page, args, query } = parse();
  const s = session();
  if (!s && page !== "login") {
    sessionStorage.setItem("motcua.after-login", location.hash);
    location.hash = "#/login";
    return;
  }
  if (KIOSK_PAGES.has(page) && args[0]) lastKiosk(args[0]);
  header(s);
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.dataset.page === page);
    // Kiosk pages open on the kiosk last used; the page without a key lets one pick another.
    if (link.hasAttribute("data-kiosk")) link.href = `#/${link.dataset.page}${lastKiosk() ? `/${lastKiosk()}` : ""}`;
  }
  if (!PAGES.has(page)) {
    main.replaceChildren(h("h1", {}, "Không tìm thấy trang"), h("p", {}, h("a", { href: "#/queues" }, "Về hàng đợi")));
    return;
  }
  const ticket = ++current;
  const module = await import(`./pages/${page}.js`);
  const view = h("div", { class: `page page-${page}` });
  try {
    await module.render(view, { args, query, session: s });
  } catch (error) {
    view.replaceChildren(h("h1", {}, "Không tải được trang"), h("p", { class: "error", role: "alert" }, error.message));
  }
  if (ticket !== current) return; // a newer navigation won
  restoreDraft(view);
  main.replaceChildren(view);
  document.title = `${view.querySelector("h1")?.textContent || "Một Cửa 24/7"} – Một Cửa 24/7`;
  (view.querySelector("[autofocus]") || main).focus();
}

addEventListener("hashchange", () => {
  notice("");
  route();
});
route();
