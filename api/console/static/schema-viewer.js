// The OpenAPI viewer at /schema: lists every operation of /schema/openapi.json, grouped by tag, from this
// server only (no CDN). Text is inserted with textContent, never as HTML: summaries come from the schema.
const main = document.getElementById("main");

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function operations(schema) {
  const groups = new Map();
  for (const [path, item] of Object.entries(schema.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const tag = (op.tags && op.tags[0]) || "khác";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push({ method: method.toUpperCase(), path, op });
    }
  }
  return groups;
}

async function show() {
  const schema = await (await fetch(main.dataset.schema)).json();
  main.replaceChildren(el("h1", `${schema.info.title} ${schema.info.version}`), el("p", schema.info.description || ""));
  const link = el("a", "Tải tài liệu OpenAPI (JSON)");
  link.href = main.dataset.schema;
  main.append(el("p", "")).append(link);
  for (const [tag, list] of operations(schema)) {
    const section = el("section");
    section.append(el("h2", tag));
    const table = el("table");
    const head = el("tr");
    for (const label of ["Phương thức", "Đường dẫn", "Mô tả"]) head.append(el("th", label));
    table.append(head);
    for (const { method, path, op } of list) {
      const row = el("tr");
      row.append(el("td", method), el("td", path, "code"), el("td", op.summary || op.description || ""));
      table.append(row);
    }
    section.append(table);
    main.append(section);
  }
}

show().catch((error) => main.replaceChildren(el("p", `Không tải được tài liệu API: ${error.message}`)));
