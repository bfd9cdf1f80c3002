// Reports: the monthly complaint statistics (rule P11) as tables with bars, the sales
// composition (rule C10) and the departments' KPIs when the API has them.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { facts, field, form, h, input, reload, table, value } from "./ui.js";

const MONTHLY = "/reports/complaints/monthly";
const KPIS = "/reports/kpis";
const COMPOSITION = "/reports/customers/composition";

export function mayView() {
  return api.can("GET", MONTHLY) || api.can("GET", KPIS) || api.can("GET", COMPOSITION);
}

const lastMonth = () => {
  const d = new Date();
  d.setDate(0);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
};
const state = { month: "", period: "", year: "" };

function bars(title, counts) {
  const entries = Object.entries(counts || {});
  const top = Math.max(1, ...entries.map(([, v]) => Number(v) || 0));
  return [h("h3", {}, title), table([
    [title, ([k]) => k],
    [t("count"), ([, v]) => v, "num"],
    [t("chart"), ([k, v]) => h("progress", { max: top, value: Number(v) || 0, "aria-label": `${k}: ${v}` })],
  ], entries)];
}

function generic(data) {
  // KPIs are built by another engineer: numbers as facts, nested objects as tables.
  const scalars = Object.entries(data).filter(([, v]) => v === null || typeof v !== "object");
  const nested = Object.entries(data).filter(([, v]) => v !== null && typeof v === "object");
  return [facts(scalars.map(([k, v]) => [k, v === null ? "—" : String(v)])),
    nested.map(([k, v]) => Array.isArray(v)
      ? [h("h3", {}, k), table(Object.keys(v[0] || {}).map((c) => [c, (row) => (typeof row[c] === "object" ? JSON.stringify(row[c]) : row[c] ?? "")]), v)]
      : [h("h3", {}, k), table([[k, ([a]) => a], [t("value"), ([, b]) => (typeof b === "object" ? JSON.stringify(b) : String(b))]], Object.entries(v))])];
}

async function monthly() {
  const month = state.month || lastMonth();
  const f = form("", [field("month", t("month"), input({ type: "month", value: month }))],
    async (f) => { state.month = value(f, "month"); reload(); }, { button: t("show"), cls: "inline", name: "monthly" });
  const r = await api.get(MONTHLY, { month });
  return [h("h2", {}, t("monthly")), f,
    facts([[t("month"), r.month], [t("closed"), r.closed], [t("avg_handling_hours"), r.avg_handling_hours ?? "—"],
      [t("timely_acceptance_rate"), r.timely_acceptance_rate ?? "—"], [t("on_time_closure_rate"), r.on_time_closure_rate ?? "—"]]),
    bars(t("by_cause"), r.by_cause), bars(t("by_department"), r.by_department),
    bars(t("by_product"), r.by_product), bars(t("by_customer"), r.by_customer),
    h("h3", {}, t("problem_ratio")), table([[t("problem_ratio"), ([k]) => k], [t("value"), ([, v]) => v, "num"]], Object.entries(r.problem_ratio || {})),
    h("h3", {}, t("improvements")), table([[t("improvements"), (x) => JSON.stringify(x)]], r.improvements)];
}

async function kpis() {
  const period = state.period || lastMonth();
  const f = form("", [field("period", t("period"), input({ value: period }))],
    async (f) => { state.period = value(f, "period"); reload(); }, { button: t("show"), cls: "inline", name: "kpis" });
  const data = await api.get(KPIS, { period });
  return [h("h2", { id: "kpis" }, t("kpis")), f, generic(data)];
}

async function composition() {
  const year = state.year || String(new Date().getFullYear());
  const f = form("", [field("year", t("year"), input({ type: "number", value: year }))],
    async (f) => { state.year = value(f, "year"); reload(); }, { button: t("show"), cls: "inline", name: "composition" });
  const data = await api.get(COMPOSITION, { year });
  return [h("h2", {}, t("composition")), f, generic(data)];
}

async function section(make) {
  try { return await make(); } catch (error) {
    return h("p", { class: "form-error", role: "alert" }, `${error.status || ""} ${error.code || ""}: ${error.message}`);
  }
}

export async function page() {
  const parts = [h("h1", {}, t("reports"))];
  if (api.can("GET", MONTHLY)) parts.push(await section(monthly));
  if (api.can("GET", KPIS)) parts.push(await section(kpis));
  if (api.can("GET", COMPOSITION)) parts.push(await section(composition));
  if (parts.length === 1) parts.push(h("p", {}, t("not_allowed")));
  return parts;
}
