// Ký số kết quả (docs/SIGNING.md): the signer picks the result's PDF, previews it, and signs it with their own key;
// the server then adds the agency's seal (the second signature) and files it in the applicant's vault. The state of
// a dossier's signatures comes from the public register (GET /verify?code=).
import { blob, get, post, signatures } from "./api.js";
import { notice } from "./app.js";
import { can } from "./auth.js";
import { label, SIGNED_KINDS } from "./labels.js";
import { confirmDialog, field, fmtTime, form, h, today } from "./ui.js";

export const SIGN = "POST /dossiers/{code}/result-document";

// The signed result of a dossier, or null: its two marks are the signer's own, then the agency's seal.
export const signedResult = (files) => files.find((f) => f.kind === "result") || null;

// A result that goes back on paper needs its signed copy before it goes into a tray (a CCCD card does not).
export async function missingSignedCopy(code, procedureCode, ref) {
  const procedure = ref.procedures.find((p) => p.code === procedureCode);
  if (procedure && procedure.result_kind !== "district_result") return false;
  return !signedResult(await signatures(code));
}

export function signatureCard(d, files) {
  const result = signedResult(files);
  const state = result ? `Đã ký số và đóng dấu (${result.signatures.length} chữ ký)`
    : d.status === "result_issued" ? "Chờ ký số" : "Chưa có kết quả ký số";
  return h("section", { class: "card", id: "signatures", "aria-labelledby": "signatures-title" },
    h("h2", { id: "signatures-title" }, "Chữ ký số"),
    h("p", {}, h("strong", { id: "signature-state", class: result ? "badge ok" : "badge" }, state)),
    files.length ? h("ul", { class: "signed-files" }, files.map((f) => h("li", { "data-kind": f.kind },
      `${label(SIGNED_KINDS, f.kind)}: `,
      f.signatures.map((s, n) => `${n ? "; " : ""}${s.signer} (${s.reason}, ${fmtTime(s.signed_at)})`))))
      : null,
    result && can("GET /vaults/{owner_kind}/{owner_id}/documents") ? signedPreview(d, result) : null);
}

// The signed file as filed in the vault, shown in the page (fetched with the credentials).
function signedPreview(d, result) {
  const frame = h("div", { class: "preview" });
  const show = async () => {
    const owner = `/vaults/citizen/${encodeURIComponent(d.applicant.id_number)}`;
    const documents = await get(`${owner}/documents?dossier=${encodeURIComponent(d.code)}`);
    const doc = documents.find((x) => x.sha256 === result.sha256);
    if (!doc) throw new Error("Không tìm thấy bản đã ký trong kho dữ liệu của công dân.");
    frame.replaceChildren(pdfFrame(await blob(`${owner}/documents/${doc.document_id}/file`), "Bản kết quả đã ký số"));
  };
  return [h("button", { type: "button", id: "show-signed", onclick: () => show().catch((e) => notice(e.message)) },
    "Xem bản đã ký"), frame];
}

function pdfFrame(file, title) {
  const url = URL.createObjectURL(file);
  return h("iframe", { class: "pdf-preview", src: url, title, "data-bytes": String(file.size) });
}

const b64 = async (file) => {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};

// Names of the catalogue can be long; the document's name is one line of at most 200 characters.
const short = (name) => (name && name.length > 200 ? `${name.slice(0, 199)}…` : name);

// The signer's form: file, preview, the document's descriptive data, then a confirmation naming both signatures.
export function signForm(d, ref, session, path, done) {
  const procedure = ref.procedures.find((p) => p.code === d.procedure_code);
  const agency = ref.agencies.find((a) => a.code === d.agency);
  const preview = h("div", { class: "preview", id: "sign-preview" });
  const file = h("input", { type: "file", name: "file", accept: "application/pdf", required: true,
    onchange: () => {
      const frame = file.files[0] ? pdfFrame(file.files[0], "Xem trước văn bản kết quả") : "";
      // Chromium's PDF viewer takes the focus when it opens; give it back so the next click or key acts on the form.
      if (frame) frame.addEventListener("load", () => file.focus({ preventScroll: true }));
      preview.replaceChildren(frame);
    } });
  const input = (name, value, attrs = {}) => h("input", { name, value: value || "", maxlength: 200, ...attrs });
  return form({ "aria-label": "Ký số kết quả" }, [
    field("Tệp kết quả (PDF)", file, "Văn bản kết quả do phòng chuyên môn soạn; xem trước bên dưới trước khi ký."), preview,
    field("Tên giấy tờ", input("name", short(procedure?.name), { required: true })),
    field("Mã loại giấy tờ", input("type_code", "KQ", { required: true, maxlength: 40 })),
    field("Số, ký hiệu", input("number", d.result_number)),
    field("Trích yếu", input("summary", d.result, { maxlength: 2000 })),
    field("Ngày ký", input("issued_on", today(), { type: "date", required: true })),
  ], "Ký số và đóng dấu", async (data) => {
    const ok = await confirmDialog(`Ký số kết quả hồ sơ ${d.code}?`, [
      `Văn bản được ký bằng chữ ký số cá nhân của ${session.account.name}, sau đó đóng dấu số của ${agency?.name || "cơ quan"}.`,
      "Sau khi ký, văn bản được lưu vào kho dữ liệu của công dân và không thể sửa."], "Ký số");
    if (!ok) return;
    const metadata = { type_code: data.get("type_code").trim(), name: data.get("name").trim(), issued_on: data.get("issued_on") };
    for (const key of ["number", "summary"]) if (data.get(key).trim()) metadata[key] = data.get(key).trim();
    const issued = await post(`${path}/result-document`, { pdf: await b64(file.files[0]), metadata });
    await done(issued.document, `Đã ký số và đóng dấu kết quả hồ sơ ${d.code}.`);
  });
}

export const canSign = (d) => d.status === "result_issued" && can(SIGN);
