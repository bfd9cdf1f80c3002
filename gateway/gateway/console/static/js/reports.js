// Reports: the monthly complaint statistics (rule P11) and the sales composition (rule C10),
// each breakdown as a bar chart beside its table. The departments' KPIs have their own page
// (kpis.js), which shares the query form, the download button and the number formats here.
import * as api from "./api.js";
import { barChart } from "./charts.js";
import * as confirmations from "./confirmations.js";
import { t, tv } from "./i18n.js";
import { clearErrors, downloadButton, facts, field, h, input, showError, table, value } from "./ui.js";

const MONTHLY = "/reports/complaints/monthly";
const MONTHLY_XLSX = "/reports/complaints/monthly.xlsx";
const COMPOSITION = "/reports/customers/composition";
const TOP = 15; // bars in a chart; the table beside it has every row

export const DASH = "—";

export function mayView() {
  return api.can("GET", MONTHLY) || api.can("GET", COMPOSITION) || confirmations.mayView();
}

/** A rate of the API ("0.9235", 0..1, or null) as "92.4%"; null as —. */
export function percent(rate) {
  if (rate === null || rate === undefined || rate === "") return DASH;
  const n = Number(rate);
  return Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : String(rate);
}

/** A money string of the API ("191280.00") with its thousands grouped, digits untouched. */
export function money(amount) {
  if (amount === null || amount === undefined || amount === "") return DASH;
  const [whole, cents] = String(amount).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (cents === undefined ? "" : `.${cents}`);
}

export const orDash = (v) => (v === null || v === undefined || v === "" ? DASH : String(v));

function fill(out, nodes) {
  out.replaceChildren(...[nodes].flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false));
}

/** A query form named ``name`` whose answer, ``load(form)``'s nodes, fills the element after
 * it; run once at once. The API's errors show beside the fields they name (a 422 on the
 * period under the period field), and the answer of an earlier query is cleared. */
export async function panel(name, label, fields, load, outAttrs = {}) {
  const out = h("div", { class: "results", ...outAttrs });
  const submit = h("button", { type: "submit" }, t("show"));
  const f = h("form", { class: "inline", "aria-label": label, "data-form": name, novalidate: true },
    h("p", { class: "form-error", role: "alert" }), fields, h("div", {}, submit));
  const run = async () => {
    clearErrors(f);
    submit.disabled = true;
    out.setAttribute("aria-busy", "true");
    try {
      fill(out, await load(f));
    } catch (error) {
      fill(out, []);
      showError(f, error);
      if (!error.status) console.error(error);
    } finally {
      submit.disabled = false;
      out.removeAttribute("aria-busy");
    }
  };
  f.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  await run();
  return [f, out];
}

// the download button is ui.js's (the case, return and voucher pages print PDFs with it);
// kept importable from here for the KPI page
export { downloadButton };

/** A breakdown: its heading, a bar chart of the largest rows and the table of them all.
 * ``rows``: [{label, value (number), text (as shown)}], largest first. */
export function breakdown(title, rows, columns, data = rows) {
  return [h("h3", {}, title),
    rows.length === 0 ? h("p", { class: "muted" }, t("empty"))
      : h("div", { class: "pair" }, barChart({ label: title, rows: rows.slice(0, TOP) }), table(columns, data))];
}

/** The month before this one, YYYY-MM: the one compiled on the 1st (rule P11). */
export const lastMonth = () => {
  const d = new Date();
  d.setDate(0);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
};
const state = { month: "", year: "" };

/** {key: count} of the monthly report as rows, largest first, each key in words. */
function counted(counts, words) {
  return Object.entries(counts || {})
    .map(([key, n]) => ({ key, label: words(key), value: Number(n) || 0, text: String(n) }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
}

function monthlyBody(r) {
  const causes = counted(r.by_cause, (k) => (k === "unknown" ? t("cause_unknown") : k));
  const departments = counted(r.by_department, (k) => tv("dept", k));
  const products = counted(r.by_product, (k) => k);
  const customers = counted(r.by_customer, (k) => k);
  const ratios = Object.entries(r.problem_ratio || {})
    .map(([key, v]) => ({ key, label: tv("dept", key), value: Number(v) || 0, text: percent(v) }))
    .sort((a, b) => b.value - a.value);
  const count = (label) => [[label, (x) => x.label], [t("cases"), (x) => x.text, "num"]];
  return [
    h("h3", {}, `${t("monthly_facts")} (${r.month})`),
    facts([[t("closed"), String(r.closed)], [t("avg_handling_hours"), orDash(r.avg_handling_hours)],
      [t("timely_acceptance_rate"), percent(r.timely_acceptance_rate)],
      [t("on_time_closure_rate"), percent(r.on_time_closure_rate)]]),
    breakdown(t("by_cause"), causes, count(t("cause"))),
    breakdown(t("by_department"), departments, count(t("department"))),
    breakdown(t("problem_ratio"), ratios, [[t("department"), (x) => x.label], [t("share"), (x) => x.text, "num"]]),
    breakdown(t("by_product"), products, count(t("sku"))),
    // the report names customers by id; a card (and its name) is one click away
    breakdown(t("by_customer"), customers.map((x) => ({ ...x, label: `${x.key.slice(0, 8)}…` })), [
      [t("customer_id"), (x) => h("a", { href: `#/customers/${encodeURIComponent(x.key)}` }, x.key)],
      [t("cases"), (x) => x.text, "num"]], customers),
    h("h3", {}, t("improvements")),
    table([[t("number"), (x) => x.number], [t("cause"), (x) => x.cause || DASH], [t("improvement"), (x) => x.improvement]],
      r.improvements),
  ];
}

async function monthly() {
  const month = state.month || lastMonth();
  const [f, out] = await panel("monthly", t("monthly"),
    [field("month", t("month"), input({ type: "month", value: month, required: true }))],
    async (f) => {
      const chosen = value(f, "month");
      const r = await api.get(MONTHLY, { month: chosen });
      state.month = chosen;
      return [api.can("GET", MONTHLY_XLSX)
        ? downloadButton(t("download_xlsx"), `${MONTHLY_XLSX}?month=${encodeURIComponent(r.month)}`,
          `complaints-${r.month}.xlsx`, "monthly-xlsx")
        : null, monthlyBody(r)];
    }, { id: "monthly-report" });
  return [h("h2", { id: "monthly" }, t("monthly")), f, out];
}

/** The composition's groups as rows: ``key`` its field, ``none`` the words for null. */
function shares(items, key, none) {
  return (items || []).map((x) => ({ ...x, label: x[key] ?? t(none), value: Number(x.amount) || 0,
    text: `${money(x.amount)} (${percent(x.share)})` }));
}

function compositionBody(d) {
  const amount = [[t("amount"), (x) => money(x.amount), "num"], [t("sales_share"), (x) => percent(x.share), "num"]];
  return [
    facts([[t("year"), String(d.year)], [t("total_sales"), money(d.total)], [t("invoices"), String(d.invoices)],
      [t("customer_count"), String(d.customers)]]),
    breakdown(t("by_grade"), shares(d.by_grade, "grade", "ungraded"),
      [[t("grade"), (x) => x.label], [t("customer_count"), (x) => x.customers, "num"], ...amount]),
    breakdown(t("by_product"), shares(d.by_product, "sku", "no_sku"),
      [[t("sku"), (x) => x.label], [t("quantity"), (x) => x.quantity, "num"], ...amount]),
    breakdown(t("by_region"), shares(d.by_region, "region", "no_region"),
      [[t("region"), (x) => x.label], [t("customer_count"), (x) => x.customers, "num"], ...amount]),
  ];
}

async function composition() {
  const year = state.year || String(new Date().getFullYear());
  const [f, out] = await panel("composition", t("composition"),
    [field("year", t("year"), input({ type: "number", value: year, min: 2000, max: 2999, required: true }))],
    async (f) => {
      const chosen = value(f, "year");
      const d = await api.get(COMPOSITION, { year: chosen });
      state.year = chosen;
      return compositionBody(d);
    }, { id: "composition-report" });
  return [h("h2", { id: "composition" }, t("composition")), f, out];
}

export async function page() {
  const parts = [h("h1", {}, t("reports"))];
  if (api.can("GET", MONTHLY)) parts.push(await monthly());
  if (confirmations.mayView()) parts.push(await confirmations.section());
  if (api.can("GET", COMPOSITION)) parts.push(await composition());
  if (parts.length === 1) parts.push(h("p", {}, t("not_allowed")));
  return parts;
}
