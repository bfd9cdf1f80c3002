// Finance: reconciliations (rule F1) with the resolve form for an exception, vouchers with
// their proof (rule F2), and a customer's receivables ledger (rule F4).
import * as api from "./api.js";
import { addWords, t, tv } from "./i18n.js";
import { downloadButton, facts, field, form, h, input, numberOr, reload, select, showError, table, value, when } from "./ui.js";

addWords({
  allowance_certificate_pdf: ["打印销货折让证明单 (PDF)", "Print the sales allowance certificate (PDF)"],
  print: ["打印", "Print"], ageing_bucket: ["账龄", "Overdue by"], as_of: ["截至", "As of"], due_date: ["到期日", "Due date"],
  ageing: ["账龄 (逾期金额)", "Ageing (amounts overdue)"], entries: ["台账明细", "Ledger entries"],
  ledger_of: ["应收账款台账", "Receivables ledger"], choose_customer: ["请选择客户。", "Choose a customer."],
  recorded_by: ["记录人", "Recorded by"], voucher_type: ["传票类型", "Voucher type"],
  "ageing.0-30": ["逾期 1-30 天", "1-30 days overdue"], "ageing.31-60": ["逾期 31-60 天", "31-60 days overdue"],
  "ageing.61-90": ["逾期 61-90 天", "61-90 days overdue"], "ageing.90+": ["逾期 90 天以上", "over 90 days overdue"],
  "kind.invoice": ["发票", "invoice"], "kind.payment": ["回款", "payment"], "kind.credit": ["冲减 (传票)", "credit (voucher)"],
});

// rule F4: the ledger's ageing buckets, in the contract's order (finance_vocabulary.AGEING_BUCKETS)
const AGEING = ["0-30", "31-60", "61-90", "90+"];
const CERTIFICATE = "/finance/vouchers/{voucher_id}/allowance-certificate.pdf";

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
  const data = await api.get("/finance/vouchers", { status: state.vouchers, per_page: 100 });
  const names = await api.customerNames(data.items.map((v) => v.customer_id));
  const mayProve = api.can("POST", "/finance/vouchers/{voucher_id}/proof");
  const mayPrint = api.can("GET", CERTIFICATE);
  const certificate = (v) => (v.type === "allowance" && mayPrint
    ? downloadButton(t("allowance_certificate_pdf"), `/finance/vouchers/${encodeURIComponent(v.id)}/allowance-certificate.pdf`,
      `${v.number || v.id}-allowance-certificate.pdf`, "allowance-certificate-pdf")
    : "—");
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
      mayPrint ? [t("print"), certificate] : null,
    ].filter(Boolean), data.items),
  ];
}

/** A customer's receivables ledger (rule F4) at #/finance/ledger/<customer_id>: the select
 * goes to the chosen customer's URL (a customer card links there too). */
async function ledger(customerId) {
  const found = await api.get("/customers", { per_page: 200 });
  const options = found.items.map((c) => [c.id, c.name]);
  let l = null;
  let problem = null;
  if (customerId) {
    state.customer = customerId;
    try {
      l = await api.get(`/finance/customers/${encodeURIComponent(customerId)}/ledger`);
    } catch (error) {
      if (!error.status) throw error;
      problem = error;
    }
    if (!options.some(([id]) => id === customerId)) options.push([customerId, (l && l.name) || customerId]);
  }
  const f = form("", [field("customer_id", t("customer"), select([["", "—"], ...options]))], async (f) => {
    const chosen = value(f, "customer_id");
    const next = chosen ? `#/finance/ledger/${encodeURIComponent(chosen)}` : "#/finance/ledger";
    if (next === location.hash) reload();
    else location.hash = next;
  }, { button: t("show"), cls: "inline", name: "ledger-customer" });
  f.elements.namedItem("customer_id").value = customerId || state.customer;
  if (problem) showError(f, problem);
  if (!l) return [f, customerId ? null : h("p", { class: "muted" }, t("choose_customer"))];
  const buckets = [...AGEING, ...Object.keys(l.ageing || {}).filter((k) => !AGEING.includes(k))];
  return [
    f,
    h("h2", { "data-testid": "ledger-customer" }, `${t("ledger_of")}: `,
      h("a", { href: `#/customers/${encodeURIComponent(l.customer_id)}` }, l.name || l.customer_id)),
    facts([[t("owner"), l.owner || "—"], [t("balance"), h("span", { "data-testid": "ledger-balance" }, l.balance)],
      [t("overdue"), l.overdue], [t("term.credit_limit"), l.credit_limit ?? "—"],
      [t("term.settlement_terms"), tv("settlement", l.settlement_terms)], [t("as_of"), l.as_of]]),
    h("div", { "data-testid": "ledger-ageing" },
      table([[t("ageing_bucket"), (k) => tv("ageing", k)], [t("amount"), (k) => (l.ageing || {})[k] ?? "0.00", "num"]], buckets,
        { caption: t("ageing") })),
    h("h3", {}, t("entries")),
    h("div", { "data-testid": "ledger-entries" },
      table([[t("date"), (e) => e.date], [t("kind"), (e) => tv("kind", e.kind)],
        [t("reference"), (e) => [e.reference, e.order_no].filter(Boolean).join(" / ") || "—"],
        [t("due_date"), (e) => e.due_date || "—"], [t("voucher_type"), (e) => (e.voucher_type ? tv("type", e.voucher_type) : "—")],
        [t("amount"), (e) => e.amount, "num"], [t("balance"), (e) => e.balance ?? "", "num"], [t("complaint"), caseLink],
        [t("recorded_by"), (e) => e.recorded_by || "—"]], l.entries)),
  ];
}

export async function page(tab, customerId = null) {
  if (!api.can("GET", "/finance/reconciliations")) return [h("h1", {}, t("nav_finance")), h("p", {}, t("not_allowed"))];
  const body = tab === "vouchers" ? await vouchers() : tab === "ledger" ? await ledger(customerId) : await reconciliations();
  return [h("h1", {}, `${t("nav_finance")} · ${t(tab)}`), tabs(tab), body];
}
