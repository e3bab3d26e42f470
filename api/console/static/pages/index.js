// The console's pages, in menu order. Each module `pages/<name>.js` exports
//   page = { route, title, needs: ["METHOD /path/{param}", …], menu: true|false, kiosk: true|false }
// and render(view, { args, query, session }). The router (app.js) loads them all, shows a page in the menu only when
// the caller's capabilities (GET /console/capabilities) include everything it `needs`, and refuses to open it
// otherwise. A name listed here whose module does not exist yet shows "Trang đang được xây dựng".
export const PAGES = [
  "counter", "routines", "tasks", "search", "queues", "sign", "dossiers", "kiosks", "fleet", "overdue", "kiosk-staff", "books", "reports",
  "reconciliation", "audit", "accounts", "cards", "login",
];
