// Finance: reconciliations (rule F1) with the resolve form for an exception, vouchers with
// their proof (rule F2), and a customer's receivables ledger (rule F4).
import * as api from "./api.js";
import { t, tv } from "./i18n.js";
import { facts, field, form, h, input, numberOr, reload, select, table, value, when } from "./ui.js";

const TABS = [["reconciliations", "reconciliations"], ["vouchers", "vouchers"], ["ledger", "ledger"]];
const METHODS = ["original_invoice", "invoice_copy", "return_certificate", "allowance_certificate"];
const state = { reconciliations: "", vouchers: "", customer: "" };

function tabs(current) {
  return h("nav", { "aria-label": t("nav_finance"), class: "row" }, TABS.map(([key, label]) =>
    h("a", { href: `#/finance/${key}`, "aria-current": key === current ? "page" : null }, t(label))));
}

function statusFilter(key, statuses) {
  const f = form("", [field("status", t("status"), select([["", t("any")], ...statuses.map((s) => [s, tv("status", s)])]))],
    async (f) => { state[key] = value(f, "status"); reload(); }, { button: t("filter"), cls: "inline", name: `${key}-filter` });
  f.elements.namedItem("status").value = state[key];
  return f;
}

const caseLink = (x) => x.complaint_id ? h("a", { href: `#/complaints/${encodeURIComponent(x.complaint_id)}` }, t("complaint")) : "—";

async function reconciliations() {
  const data = await api.get("/finance/reconciliations", { status: state.reconciliations, per_page: 100 });
  const resolveForms = data.items.filter((r) => r.status === "exception" && api.can("POST", "/finance/reconciliations/{reconciliation_id}/resolve"))
    .map((r) => form(`${t("resolve")}: ${r.return_number || r.return_id}`, [
      r.lines.map((l, n) => field(`lines.${n}.accepted_quantity`, `${l.sku} ${t("accepted_quantity")} (${t("approved_quantity")} ${l.approved_quantity}, ${t("actual_quantity")} ${l.actual_quantity})`,
        input({ type: "number", min: 0, value: l.approved_quantity }))),
      field("comment", t("comment"), h("textarea")),
    ], async (f) => {
      const body = { lines: r.lines.map((l, n) => ({ sku: l.sku, accepted_quantity: numberOr(value(f, `lines.${n}.accepted_quantity`)) })) };
      if (value(f, "comment")) body.comment = value(f, "comment");
      await api.post(`/finance/reconciliations/${encodeURIComponent(r.id)}/resolve`, body);
      reload();
    }, { name: "resolve" }));
  return [
    statusFilter("reconciliations", ["matched", "exception", "resolved"]),
    table([
      [t("return"), (r) => h("a", { href: `#/returns/${encodeURIComponent(r.return_id)}` }, r.return_number || r.return_id)],
      [t("complaint"), caseLink], [t("status"), (r) => tv("status", r.status)],
      [t("lines"), (r) => r.lines.map((l) => `${l.sku}: ${l.approved_quantity}/${l.actual_quantity}`).join("、")],
      [t("amount"), (r) => r.amount ?? "—", "num"], [t("vouchers"), (r) => r.voucher_id || "—"], [t("when"), (r) => when(r.created_at)],
    ], data.items),
    resolveForms.length ? h("div", { class: "actions" }, resolveForms) : null,
  ];
}

async function vouchers() {
  const [data, names] = await Promise.all([
    api.get("/finance/vouchers", { status: state.vouchers, per_page: 100 }), api.customerNames()]);
  const mayProve = api.can("POST", "/finance/vouchers/{voucher_id}/proof");
  const proofForm = (v) => form(`${t("proof")}: ${v.number}`, [
    h("div", { class: "row" },
      field("method", t("method"), select(METHODS.map((m) => [m, tv("method", m)]))),
      field("reference", t("reference"), input())),
  ], async (f) => {
    const body = { method: value(f, "method") };
    if (value(f, "reference")) body.reference = value(f, "reference");
    await api.post(`/finance/vouchers/${encodeURIComponent(v.id)}/proof`, body);
    reload();
  }, { cls: "inline", name: "proof" });
  return [
    statusFilter("vouchers", ["issued", "posted"]),
    table([
      [t("number"), (v) => v.number], [t("type"), (v) => tv("type", v.type)], [t("amount"), (v) => v.amount, "num"],
      [t("status"), (v) => tv("status", v.status)], [t("customer"), (v) => names[v.customer_id] || v.customer_id], [t("complaint"), caseLink],
      [t("proof"), (v) => v.status === "issued" && mayProve ? proofForm(v) : `${tv("method", v.proof_method)} ${v.proof_reference || ""}`],
    ], data.items),
  ];
}

async function ledger() {
  const found = await api.get("/customers", { per_page: 200 });
  const f = form("", [field("customer_id", t("customer"), select([["", "—"], ...found.items.map((c) => [c.id, c.name])]))],
    async (f) => { state.customer = value(f, "customer_id"); reload(); }, { button: t("show"), cls: "inline", name: "ledger-customer" });
  f.elements.namedItem("customer_id").value = state.customer;
  if (!state.customer) return [f];
  const l = await api.get(`/finance/customers/${encodeURIComponent(state.customer)}/ledger`);
  return [
    f,
    facts([[t("name"), l.name], [t("owner"), l.owner], [t("balance"), l.balance], [t("overdue"), l.overdue],
      ["credit limit", l.credit_limit], ["as of", l.as_of]]),
    table(Object.entries(l.ageing || {}).map(([k]) => [k, (a) => a[k], "num"]), [l.ageing || {}]),
    table([[t("date"), (e) => e.date], [t("kind"), (e) => e.kind], [t("reference"), (e) => e.reference || e.order_no || ""],
      [t("amount"), (e) => e.amount, "num"], [t("balance"), (e) => e.balance ?? "", "num"], [t("complaint"), caseLink]], l.entries),
  ];
}

export async function page(tab) {
  if (!api.can("GET", "/finance/reconciliations")) return [h("h1", {}, t("nav_finance")), h("p", {}, t("not_allowed"))];
  const body = tab === "vouchers" ? await vouchers() : tab === "ledger" ? await ledger() : await reconciliations();
  return [h("h1", {}, `${t("nav_finance")} · ${t(tab)}`), tabs(tab), body];
}
