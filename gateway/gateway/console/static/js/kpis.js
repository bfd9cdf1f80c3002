// The departments' KPIs (issue 12.2; seeds 001, 003 and 000): GET /reports/kpis?period= of
// the chosen month, quarter or year, each figure in words with its value (rates as
// percentages, — where nothing counts), the departments' handling time and the figures per
// owner; and their trends: the same report of the periods before it, fetched in parallel,
// as line charts with the numbers in a table. The period's workbook downloads as .xlsx.
import * as api from "./api.js";
import { figure, lineChart } from "./charts.js";
import { t, tv } from "./i18n.js";
import { field, h, input, table, value } from "./ui.js";
import { breakdown, DASH, downloadButton, orDash, panel, percent } from "./reports.js";

const KPIS = "/reports/kpis";
const KPIS_XLSX = "/reports/kpis.xlsx";
// The periods before the chosen one that the trends show, by its kind.
const BEFORE = { month: 6, quarter: 4, year: 3 };
const FIRST_YEAR = 1900; // the API knows no earlier period

// The report's figures, in the workbook's order: [key (a.b for nested), kind].
const FIGURES = [
  ["file_completeness_rate", "rate"], ["timely_acceptance_rate", "rate"], ["follow_up_rate", "rate"],
  ["follow_ups", "count"], ["resolution_rate", "rate"], ["complaint_rate", "rate"],
  ["satisfaction.average", "score"], ["satisfaction.satisfied_share", "rate"],
  ["enquiry_reply_on_time_rate", "rate"],
];
// The trends' charts: [caption key, the rates drawn, value axis up to 100 %?].
const TRENDS = [
  ["trend_complaints", ["timely_acceptance_rate", "resolution_rate", "follow_up_rate"], true],
  ["trend_customers", ["file_completeness_rate", "satisfaction.satisfied_share", "enquiry_reply_on_time_rate"], true],
  ["trend_complaint_rate", ["complaint_rate"], false],
];

export function mayView() { return api.can("GET", KPIS); }

const pick = (report, key) => key.split(".").reduce((v, part) => (v === null || v === undefined ? null : v[part]), report) ?? null;
const shown = (kind, v) => (kind === "rate" ? percent(v) : orDash(v));
const number = (v) => (v === null || v === undefined || v === "" ? null : Number(v));

const thisMonth = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
};
let chosen = "";

/** The chosen period and the ones before it, oldest first: "2026-03" -> 2025-09 ... 2026-03,
 * "2026-Q1" -> 2025-Q1 ... 2026-Q1, "2026" -> 2023 ... 2026. A period the pattern does not
 * know is asked alone (the API answers 422). */
export function trendPeriods(period) {
  const m = /^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$/.exec(period);
  if (!m) return [period];
  const year = Number(m[1]);
  const out = [];
  if (m[2]) {
    const index = year * 12 + Number(m[2]) - 1;
    for (let i = index - BEFORE.month; i <= index; i++) {
      out.push([Math.floor(i / 12), `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`]);
    }
  } else if (m[3]) {
    const index = year * 4 + Number(m[3]) - 1;
    for (let i = index - BEFORE.quarter; i <= index; i++) out.push([Math.floor(i / 4), `${Math.floor(i / 4)}-Q${(i % 4) + 1}`]);
  } else {
    for (let y = year - BEFORE.year; y <= year; y++) out.push([y, String(y)]);
  }
  return out.filter(([y]) => y >= FIRST_YEAR).map(([, p]) => p);
}

/** A table that may be wider than the page scrolls by itself (a region the keyboard reaches). */
const wide = (el, label) => h("div", { class: "wide", tabindex: "0", role: "region", "aria-label": label }, el);

function summary(report) {
  const el = table([[t("indicator"), ([key]) => tv("kpi", key)], [t("value"), ([key, kind]) => shown(kind, pick(report, key)), "num"]],
    FIGURES);
  el.id = "kpi-summary";
  el.className = "compact";
  return el;
}

function departments(report) {
  const rows = Object.entries(report.department_handling_hours || {})
    .map(([key, hours]) => ({ key, label: tv("dept", key), value: Number(hours) || 0, text: orDash(hours) }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  return breakdown(t("department_handling_hours"), rows,
    [[t("department"), (x) => x.label], [t("avg_handling_hours"), (x) => x.text, "num"]]);
}

function owners(report) {
  const rows = Object.entries(report.by_owner || {}).sort(([a], [b]) => a.localeCompare(b));
  const el = table([[t("owner"), ([owner]) => tv("owner", owner)],
    ...FIGURES.map(([key, kind]) => [tv("kpi", key), ([, figures]) => shown(kind, pick(figures, key)), "num"])], rows);
  if (rows.length) el.id = "kpi-owners";
  return [h("h3", {}, t("by_owner")), wide(el, t("by_owner"))];
}

function trends(periods, reports) {
  const charts = TRENDS.map(([caption, keys, whole]) => figure(t(caption), lineChart({
    label: t(caption), x: periods, format: percent, min: 0, max: whole ? 1 : null,
    series: keys.map((key) => ({ name: tv("kpi", key), values: reports.map((r) => (r ? number(pick(r, key)) : null)) })),
  })));
  const numbers = table([[t("period_short"), ([p]) => p, "nowrap"],
    ...FIGURES.map(([key, kind]) => [tv("kpi", key), ([, r]) => (r ? shown(kind, pick(r, key)) : DASH), "num"])],
  periods.map((p, i) => [p, reports[i]]), { caption: `${t("trends")}: ${periods[0]} – ${periods[periods.length - 1]}` });
  numbers.id = "kpi-trends";
  return [h("h3", {}, t("trends")), h("p", { class: "muted" }, t("trends_hint")),
    h("div", { class: "charts", "data-testid": "kpi-trend-charts" }, charts), wide(numbers, t("trends"))];
}

async function load(f) {
  const period = value(f, "period");
  const periods = trendPeriods(period);
  const answers = await Promise.allSettled(periods.map((p) => api.get(KPIS, { period: p })));
  const mine = answers[answers.length - 1];
  if (mine.status === "rejected") throw mine.reason;
  chosen = period;
  const report = mine.value;
  const reports = answers.map((a) => (a.status === "fulfilled" ? a.value : null));
  return [
    h("h2", {}, `${t("kpi_summary")}: ${report.period}`),
    api.can("GET", KPIS_XLSX)
      ? downloadButton(t("download_xlsx"), `${KPIS_XLSX}?period=${encodeURIComponent(report.period)}`,
        `kpis-${report.period}.xlsx`, "kpis-xlsx")
      : null,
    summary(report), h("p", { class: "muted" }, t("null_hint")),
    trends(periods, reports), departments(report), owners(report),
  ];
}

export async function page() {
  if (!mayView()) return [h("h1", {}, t("kpis")), h("p", {}, t("not_allowed"))];
  const [f, out] = await panel("kpis", t("kpis"),
    [field("period", t("period"), input({ value: chosen || thisMonth(), required: true, autocomplete: "off" }))],
    load, { id: "kpis" });
  return [h("h1", {}, t("kpis")), f, out];
}
