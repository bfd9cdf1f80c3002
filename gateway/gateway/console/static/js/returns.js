// Returns: the warehouse's scan page (a handheld scanner types the code and Enter; rule R2:
// each receipt carries its own scan_id, kept for a retry so a resend counts once), the
// sign-off, and quality's inspection form (rule R3).
import * as api from "./api.js";
import { addWords, t, tv } from "./i18n.js";
import { downloadButton, facts, field, form, h, input, numberOr, reload, select, showError, clearErrors, table, value, when } from "./ui.js";

addWords({
  return_form_pdf: ["打印成品退货单 (PDF)", "Print the finished-goods return form (PDF)"],
  authorized_quantity: ["授权数量", "Authorized"], received_quantity: ["实收数量", "Received"],
  difference: ["差异", "Difference"], charged_to: ["责任人", "Charged to"],
  "history.authorized": ["退货授权", "authorized"], "history.receipt_posted": ["扫描收货", "receipt scanned"],
  "history.signed_off": ["签收", "signed off"], "history.posted": ["入账", "posted"],
  "history.inspected": ["质量检验", "inspected"], "history.created": ["创建", "created"],
  "history.shipped": ["发出", "shipped"], "history.filed": ["提交申请", "filed"],
});

const RETURN_FORM = "/returns/{return_id}/return-form.pdf";

const STATUSES = ["authorized", "receiving", "received", "inspected"];
let status = "";

export async function list() {
  const data = await api.get("/returns", { status, per_page: 100 });
  const f = form("", [field("status", t("status"), select([["", t("any")], ...STATUSES.map((s) => [s, tv("status", s)])]))],
    async (f) => { status = value(f, "status"); reload(); }, { button: t("filter"), cls: "inline", name: "returns-filter" });
  f.elements.namedItem("status").value = status;
  return [
    h("h1", {}, t("returns")), f,
    table([
      [t("number"), (r) => h("a", { href: `#/returns/${encodeURIComponent(r.id)}` }, r.number || r.id)],
      [t("status"), (r) => tv("status", r.status)],
      [t("customer"), (r) => r.customer_id],
      [t("complaint"), (r) => r.complaint_id ? h("a", { href: `#/complaints/${encodeURIComponent(r.complaint_id)}` }, t("complaint")) : "—"],
      [t("lines"), (r) => r.lines.map((l) => `${l.sku}×${l.authorized_quantity}`).join("、")],
      ["", (r) => when(r.created_at)],
    ], data.items),
  ];
}

function scanForm(r) {
  const url = `/returns/${encodeURIComponent(r.id)}/receipts`;
  const who = api.me().username;
  const sku = input({ id: "scan-sku", autocomplete: "off", autofocus: true });
  const quantity = input({ id: "scan-quantity", type: "number", min: 1, value: 1 });
  const lot = input({ id: "scan-lot", autocomplete: "off" });
  const scanner = input({ id: "scan-scanner", value: `console-${who}` });
  const posted = h("ul", { class: "muted", "aria-live": "polite", id: "scan-log" });
  let pending = null; // the scan not yet acknowledged: same scan_id on a retry (rule R2)
  const f = h("form", { class: "scan", "aria-label": t("scan"), "data-form": "scan", novalidate: true },
    h("h3", {}, t("scan")), h("p", { class: "muted" }, t("scan_hint")),
    h("p", { class: "form-error", role: "alert" }),
    h("div", { class: "row" },
      field("lines.0.sku", t("scan_sku"), sku),
      field("lines.0.quantity", t("quantity"), quantity),
      field("lines.0.lot", t("lot"), lot),
      field("scanner_id", t("scanner"), scanner)),
    h("button", { type: "submit" }, t("save")),
    h("p", { class: "notice", role: "status" }),
    posted);
  // The scanner sends the code and Enter: move on to the quantity rather than post.
  sku.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (sku.value.trim()) { quantity.focus(); quantity.select(); }
    }
  });
  f.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(f);
    const line = { sku: sku.value.trim(), quantity: numberOr(quantity.value.trim()) };
    if (lot.value.trim()) line.lot = lot.value.trim();
    const body = { scanner_id: scanner.value.trim(), lines: [line] };
    if (!pending || JSON.stringify(pending.body) !== JSON.stringify(body)) pending = { body, scan_id: api.newId("scan") };
    try {
      await api.post(url, { scan_id: pending.scan_id, ...body });
      posted.prepend(h("li", {}, `${pending.scan_id}: ${line.sku} × ${line.quantity}`));
      f.querySelector(".notice").textContent = `${t("posted")}: ${line.sku} × ${line.quantity}`;
      pending = null;
      sku.value = "";
      quantity.value = "1";
      sku.focus();
      refreshReceipts(r.id);
    } catch (error) {
      if (error.status && error.status < 500) pending = null;
      showError(f, error);
    }
  });
  return f;
}

function linesTable(lines) {
  return table([
    [t("sku"), (l) => l.sku], [t("line_desc"), (l) => l.description || ""],
    [t("authorized_quantity"), (l) => l.authorized_quantity, "num"],
    [t("received_quantity"), (l) => h("span", { "data-received": l.sku }, l.received_quantity), "num"],
    [t("good"), (l) => l.good ?? "—", "num"], [t("rework"), (l) => l.rework ?? "—", "num"], [t("scrap"), (l) => l.scrap ?? "—", "num"],
  ], lines);
}

function receiptsTable(receipts) {
  return table([
    [t("scan_id"), (x) => x.scan_id], [t("scanner"), (x) => x.scanner_id],
    [t("lines"), (x) => x.lines.map((l) => `${l.sku} × ${l.quantity}${l.lot ? ` (${l.lot})` : ""}`).join("、")],
    [t("who"), (x) => x.received_by], [t("when"), (x) => when(x.received_at)],
  ], receipts);
}

async function refreshReceipts(id) {
  const r = await api.get(`/returns/${encodeURIComponent(id)}`);
  document.getElementById("return-lines")?.replaceChildren(linesTable(r.lines));
  document.getElementById("return-receipts")?.replaceChildren(receiptsTable(r.receipts));
  const state = document.querySelector("[data-testid=return-status]");
  if (state) state.textContent = tv("status", r.status);
}

function inspectionForm(r) {
  const url = `/returns/${encodeURIComponent(r.id)}/inspection`;
  const rows = r.lines.map((l, n) => h("div", { class: "row" },
    h("span", {}, `${l.sku} (${t("received_quantity")} ${l.received_quantity})`),
    field(`lines.${n}.good`, `${l.sku} ${t("good")}`, input({ type: "number", min: 0, value: l.received_quantity })),
    field(`lines.${n}.rework`, `${l.sku} ${t("rework")}`, input({ type: "number", min: 0, value: 0 })),
    field(`lines.${n}.scrap`, `${l.sku} ${t("scrap")}`, input({ type: "number", min: 0, value: 0 }))));
  return form(t("inspection"), [field("witness", t("witness"), input({ value: r.owner || "" })), rows], async (f) => {
    await api.post(url, {
      witness: value(f, "witness"),
      lines: r.lines.map((l, n) => ({
        sku: l.sku,
        good: numberOr(value(f, `lines.${n}.good`)),
        rework: numberOr(value(f, `lines.${n}.rework`)),
        scrap: numberOr(value(f, `lines.${n}.scrap`)),
      })),
    });
    reload();
  }, { name: "inspection" });
}

export async function detail(id) {
  const r = await api.get(`/returns/${encodeURIComponent(id)}`);
  const names = await api.customerNames([r.customer_id]);
  const receiving = ["authorized", "receiving"].includes(r.status);
  const mayScan = receiving && api.can("POST", "/returns/{return_id}/receipts");
  const maySign = receiving && api.can("POST", "/returns/{return_id}/sign-off");
  const mayInspect = r.status === "received" && api.can("POST", "/returns/{return_id}/inspection");
  const signOff = maySign ? form(t("sign_off"), [], async () => {
    await api.post(`/returns/${encodeURIComponent(r.id)}/sign-off`);
    reload();
  }, { button: t("sign_off"), name: "sign-off" }) : null;
  return [
    h("h1", {}, `${t("return")} ${r.number || r.id}`),
    facts([
      [t("status"), h("span", { "data-testid": "return-status" }, tv("status", r.status))],
      [t("complaint"), r.complaint_id ? h("a", { href: `#/complaints/${encodeURIComponent(r.complaint_id)}` }, t("complaint")) : "—"],
      [t("customer"), names[r.customer_id] || r.customer_id], [t("owner"), r.owner],
      [t("sign_off"), r.received_at ? `${r.received_by} ${when(r.received_at)}` : "—"],
      [t("inspection"), r.inspected_at ? `${r.inspected_by} ${when(r.inspected_at)} (${t("witness")}: ${r.witness})` : "—"],
    ]),
    api.can("GET", RETURN_FORM) ? downloadButton(t("return_form_pdf"),
      `/returns/${encodeURIComponent(r.id)}/return-form.pdf`, `${r.number || r.id}-return-form.pdf`, "return-form-pdf") : null,
    h("h2", {}, t("lines")), h("div", { id: "return-lines" }, linesTable(r.lines)),
    mayScan ? scanForm(r) : null,
    h("h2", {}, t("receipts")), h("div", { id: "return-receipts" }, receiptsTable(r.receipts)),
    r.differences && r.differences.length ? [h("h2", {}, t("differences")),
      table([[t("sku"), (d) => d.sku], [t("authorized_quantity"), (d) => d.authorized_quantity, "num"],
        [t("received_quantity"), (d) => d.received_quantity, "num"], [t("difference"), (d) => d.difference, "num"],
        [t("charged_to"), (d) => d.charged_to || "—"]], r.differences)] : null,
    signOff, mayInspect ? inspectionForm(r) : null,
    h("h2", {}, t("history")),
    table([[t("when"), (e) => when(e.at)], [t("who"), (e) => e.who], [t("what"), (e) => tv("history", e.action)]], r.history || []),
  ];
}
