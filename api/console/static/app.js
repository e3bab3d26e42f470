// Hash router: #/page/arg?query → pages/<page>.js render(main, {args, query, session}); login guard; the menu and the
// landing page come from the caller's capabilities (what the API's own rules let their role call), never from a
// list of roles kept here. Pages declare their route, title and needs (pages/index.js).
import { restoreDraft } from "./api.js";
import { canAll, logout, onSessionChange, session } from "./auth.js";
import { label, ROLES } from "./labels.js";
import { PAGES } from "./pages/index.js";
import { h, lastKiosk } from "./ui.js";

// Where each role starts its day; a role without an entry (or whose landing it may not open) starts on its first menu.
const LANDING = {
  reception_officer: "#/counter", department_officer: "#/queues?queue=in_processing", signer: "#/sign",
  consultant: "#/routines", police_officer: "#/queues?queue=in_processing", auditor: "#/audit", analyst: "#/reports",
  administrator: "#/accounts",
};
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

function parse(hash = location.hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const [page, ...args] = path.split("/").map(decodeURIComponent);
  return { page, args, query: new URLSearchParams(query) };
}

// Every page module, loaded once; a module that does not exist yet is remembered as missing.
let modules = null;
function loadModules() {
  modules ??= Promise.all(PAGES.map((name) => import(`./pages/${name}.js`).then((m) => [name, m], () => [name, null])))
    .then((pairs) => new Map(pairs));
  return modules;
}

const allowed = (module) => module?.page && canAll(module.page.needs);

// The landing page of the signed-in role: its own if present and allowed (or still being built), else the first menu.
export async function landing() {
  const s = session();
  if (!s) return "#/login";
  const found = await loadModules();
  const own = LANDING[s.account.role];
  const module = own && found.get(parse(own).page);
  if (own && (module === null || allowed(module))) return own;
  const first = [...found.values()].find((m) => m?.page?.menu && allowed(m));
  return first ? `#/${first.page.route}` : "#/welcome";
}

function menu(found, page) {
  const nav = document.getElementById("nav");
  nav.replaceChildren(...[...found.values()].filter((m) => m?.page?.menu && allowed(m)).map(({ page: p }) => {
    // Kiosk pages open on the kiosk last used; the page without a key lets one pick another.
    const kiosk = p.kiosk && lastKiosk() ? `/${encodeURIComponent(lastKiosk())}` : "";
    return h("a", { href: `#/${p.route}${kiosk}`, "data-page": p.route, "aria-current": p.route === page ? "page" : null },
      p.title);
  }));
}

function header(s, found, page) {
  document.getElementById("nav").hidden = !s;
  const who = document.getElementById("who");
  who.replaceChildren();
  if (!s) return;
  menu(found, page);
  who.append(`${s.account.name} · ${label(ROLES, s.account.role)} `,
    h("button", { type: "button", class: "link", onclick: () => { logout(); go("#/login"); } }, "Đăng xuất"));
}

function show(view, title) {
  main.replaceChildren(view);
  document.title = `${title || view.querySelector("h1")?.textContent || "Một Cửa 24/7"} – Một Cửa 24/7`;
  (view.querySelector("[autofocus]") || main).focus();
}

const home = () => h("p", {}, h("a", { href: "#/" }, "Về trang làm việc của bạn"));

let current = 0;
async function route() {
  const ticket = ++current;
  const { page, args, query } = parse();
  const s = session();
  if (!s && page !== "login") {
    if (page) sessionStorage.setItem("motcua.after-login", location.hash);
    location.hash = "#/login";
    return;
  }
  if (s && (!page || page === "login")) {
    location.hash = await landing();
    return;
  }
  const found = await loadModules();
  if (ticket !== current) return;
  const module = found.get(page);
  if (module?.page?.kiosk && args[0]) lastKiosk(args[0]);
  header(s, found, page);
  shownAccount = s?.account.username || null;
  if (page === "welcome") {
    show(h("div", { class: "page" }, h("h1", {}, "Chưa có chức năng"),
      h("p", {}, "Tài khoản của bạn chưa được giao chức năng nào trên giao diện này. Vui lòng liên hệ quản trị hệ thống.")));
    return;
  }
  if (module === null) {  // listed but not built yet
    show(h("div", { class: "page page-building" }, h("h1", {}, "Trang đang được xây dựng"),
      h("p", {}, "Chức năng này sẽ sớm có trên giao diện cán bộ."), home()));
    return;
  }
  if (!module) {
    show(h("div", { class: "page" }, h("h1", {}, "Không tìm thấy trang"), home()));
    return;
  }
  if (s && !allowed(module)) {
    show(h("div", { class: "page" }, h("h1", {}, "Không có quyền truy cập"),
      h("p", {}, `Vai trò ${label(ROLES, s.account.role)} không sử dụng trang "${module.page.title}".`), home()));
    return;
  }
  const view = h("div", { class: `page page-${page}` });
  try {
    await module.render(view, { args, query, session: s });
  } catch (error) {
    view.replaceChildren(h("h1", {}, module.page.title), h("p", { class: "error", role: "alert" }, error.message), home());
  }
  if (ticket !== current) return; // a newer navigation won
  restoreDraft(view);
  show(view);
}

// Another tab logged in, out, or renewed: follow it (a logout there ends this tab's work too).
// The same officer signing in again elsewhere changes nothing here, so typed work stays on the page.
let shownAccount = null;
onSessionChange((what) => {
  if (what === "logout") go("#/login");
  else if (what === "login" && (parse().page === "login" || shownAccount !== session()?.account.username)) route();
});

addEventListener("hashchange", () => {
  notice("");
  route();
});
route();
