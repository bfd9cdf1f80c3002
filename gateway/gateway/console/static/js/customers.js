// Customer cards: grade (rule C6), risk (rule C8), warnings and interactions (rule C9), with
// personal data masked exactly as the API gives it (the console unmasks nothing). The
// remedy of a warning and a new interaction are recorded here by the roles that may.
import * as api from "./api.js";
import { addWords, t, tv } from "./i18n.js";
import { badge, facts, field, form, h, input, numberOr, reload, select, table, value, when } from "./ui.js";

addWords({
  "field.nature": ["客户性质", "Nature"], "field.industry": ["行业", "Industry"], "field.address": ["地址", "Address"],
  "field.license_no": ["营业执照号", "Licence no."], "field.tax_no": ["税号", "Tax no."],
  "field.payment_method": ["付款方式", "Payment method"], "field.settlement_terms": ["结算方式", "Settlement terms"],
  "field.discount": ["折扣", "Discount"], "field.credit_limit": ["信用额度", "Credit limit"],
  "field.over_acceptance_ratio": ["超收比例", "Over-acceptance ratio"], "field.key_account": ["重点客户", "Key account"],
  "field.pickup": ["自提客户", "Pick-up customer"], "field.position": ["职务", "Position"],
  "field.role_in_decision": ["决策角色", "Role in decisions"], "field.score": ["得分", "Score"],
  "field.scale": ["规模", "Scale"], "field.history_band": ["合作年限段", "History band"],
  "field.graded_at": ["评级时间", "Graded at"], "field.reason": ["原因", "Reason"], "field.points": ["分值", "Points"],
  "field.assessed_at": ["评估时间", "Assessed at"], "field.guarantee_required": ["需提供担保", "Guarantee required"],
  "field.factor": ["风险因素", "Factor"], "field.figures": ["数据", "Figures"], "field.component": ["评分项", "Component"],
  "field.reply_due_at": ["回复期限", "Reply due"], "field.reply": ["回复", "Reply"], "field.action": ["补救措施", "Remedy"],
  "field.previous": ["原等级", "Before"], "field.trigger": ["触发", "Trigger"],
  "component.purchases": ["采购额", "purchases"], "component.cooperation": ["合作年限", "cooperation"],
  "component.payment": ["回款", "payment"], "component.complaints": ["投诉", "complaints"],
  "component.satisfaction": ["满意度", "satisfaction"],
  "factor.overdue": ["逾期欠款", "overdue debt"], "factor.credit_record": ["信用记录", "credit record"],
  "factor.disputes": ["未结纠纷", "open disputes"], "factor.complaints": ["近期投诉", "recent complaints"],
  "risk.low": ["低", "low"], "risk.medium": ["中", "medium"], "risk.high": ["高", "high"],
  "warning.churn": ["流失预警", "churn"], "warning.risk": ["风险预警", "risk"],
  "interaction.visit": ["拜访", "visit"], "interaction.call": ["电话", "call"], "interaction.care": ["关怀", "care"],
  "interaction.survey": ["满意度调查", "survey"], "interaction.enquiry": ["咨询", "enquiry"],
  "interaction.suggestion": ["建议", "suggestion"],
  grade_history: ["评级历史", "Grade history"], record_interaction: ["记录往来", "Record an interaction"],
  remedy: ["记录补救措施", "Record the remedy"], ledger_link: ["应收账款台账", "Receivables ledger"],
  complaints_of: ["该客户的投诉", "This customer's complaints"], key_account_yes: ["重点客户", "key account"],
});

const INTERACTION_TYPES = ["visit", "call", "care", "survey", "enquiry", "suggestion"];
const GRADES = ["", "A", "B", "C"];
const RISKS = ["", "low", "medium", "high"];
const filters = { q: "", grade: "", risk: "", status: "" };

const yesNo = (v) => (v ? t("yes") : t("no"));
const riskBadge = (level) => (level ? badge(tv("risk", level), level === "high" ? "bad" : "") : "—");

export async function list() {
  const data = await api.get("/customers", { ...filters, per_page: 100 });
  const f = form("", [
    field("q", t("search"), input({ type: "search", value: filters.q })),
    field("grade", t("grade"), select(GRADES.map((g) => [g, g || t("any")]), { value: filters.grade })),
    field("risk", t("risk"), select(RISKS.map((r) => [r, r ? tv("risk", r) : t("any")]), { value: filters.risk })),
  ], async (f) => {
    Object.assign(filters, { q: value(f, "q"), grade: value(f, "grade"), risk: value(f, "risk") });
    reload();
  }, { button: t("search"), cls: "inline", name: "customer-search" });
  return [
    h("h1", {}, t("customers")), f,
    h("p", {}, `${t("total")} ${data.total}`),
    table([
      [t("name"), (c) => h("a", { href: `#/customers/${encodeURIComponent(c.id)}` }, c.name)],
      [t("status"), (c) => tv("status", c.status)], [t("grade"), (c) => c.grade || "—"], [t("risk"), (c) => riskBadge(c.risk)],
      [t("field.key_account"), (c) => (c.key_account ? t("key_account_yes") : "")],
      [t("region"), (c) => c.region || ""], [t("owner"), (c) => c.owner || ""],
    ], data.items),
  ];
}

async function optional(path, params) {
  try { return await api.get(path, params); } catch (error) { return { error }; }
}

const failed = (x) => (x && x.error ? h("p", { class: "muted" }, `${x.error.status} ${x.error.code}: ${x.error.message}`) : null);
const itemsOf = (x) => (Array.isArray(x) ? x : (x && x.items) || []);

function card(c) {
  const f = (key) => [t(`field.${key}`), c[key] === null || c[key] === undefined || c[key] === "" ? "—" : String(c[key])];
  return [
    facts([[t("status"), tv("status", c.status)], [t("grade"), c.grade || "—"], [t("risk"), riskBadge(c.risk)],
      [t("field.key_account"), yesNo(c.key_account)], [t("region"), c.region || "—"], f("nature"), f("industry"),
      [t("owner"), c.owner || "—"], f("address"), f("license_no"), f("tax_no"), f("payment_method"), f("settlement_terms"),
      f("discount"), f("credit_limit"), f("over_acceptance_ratio"), [t("field.pickup"), yesNo(c.pickup)]]),
    h("h2", {}, t("contacts")),
    table([[t("name"), (x) => x.name], [t("field.position"), (x) => x.position || ""], [t("phone"), (x) => x.phone || ""],
      [t("email"), (x) => x.email || ""], [t("field.role_in_decision"), (x) => x.role_in_decision || ""]], c.contacts || []),
  ];
}

function grading(grade, history) {
  if (grade.error) return failed(grade);
  return [
    facts([[t("grade"), grade.grade || "—"], [t("field.score"), grade.score ?? "—"], [t("field.scale"), grade.scale || "—"],
      [t("field.history_band"), grade.history_band || "—"], [t("field.graded_at"), when(grade.graded_at)],
      [t("field.reason"), grade.reason || "—"]]),
    table([[t("field.component"), ([k]) => tv("component", k)], [t("field.score"), ([, v]) => v, "num"]],
      Object.entries(grade.components || {}), { caption: t("field.component") }),
    history && !history.error ? [h("h3", {}, t("grade_history")),
      table([[t("when"), (g) => when(g.at)], [t("field.previous"), (g) => g.previous_grade || "—"], [t("grade"), (g) => g.grade],
        [t("field.score"), (g) => g.score, "num"], [t("field.trigger"), (g) => g.trigger], [t("field.reason"), (g) => g.reason]],
      itemsOf(history).slice().reverse())] : null,
  ];
}

function riskSection(risk) {
  if (risk.error) return failed(risk);
  const figures = (v) => Object.entries(v || {}).filter(([k]) => k !== "points").map(([k, x]) => `${k}: ${x}`).join("；");
  return [
    facts([[t("risk"), riskBadge(risk.level)], [t("field.points"), risk.points ?? "—"],
      [t("field.guarantee_required"), yesNo(risk.guarantee_required)], [t("field.assessed_at"), when(risk.assessed_at)]]),
    table([[t("field.factor"), ([k]) => tv("factor", k)], [t("field.points"), ([, v]) => v.points ?? "", "num"],
      [t("field.figures"), ([, v]) => figures(v)]], Object.entries(risk.factors || {})),
  ];
}

function warningRows(warnings) {
  if (warnings.error) return failed(warnings);
  const mayRemedy = api.can("POST", "/warnings/{warning_id}/remedy");
  return table([
    [t("type"), (w) => tv("warning", w.type)], [t("status"), (w) => tv("status", w.status)],
    [t("field.reason"), (w) => w.reason], [t("owner"), (w) => w.owner || "—"], [t("when"), (w) => when(w.raised_at)],
    [t("field.action"), (w) => (w.status === "open" && mayRemedy ? remedyForm(w) : w.action || "—")],
  ], itemsOf(warnings));
}

function remedyForm(w) {
  return form("", [field("action", t("remedy"), input({ required: true }))], async (f) => {
    await api.post(`/warnings/${encodeURIComponent(w.id)}/remedy`, { action: value(f, "action") });
    reload();
  }, { button: t("save"), cls: "inline", name: "remedy" });
}

function interactionSection(id, interactions) {
  if (!interactions) return null;
  const rows = interactions.error ? failed(interactions) : table([
    [t("type"), (x) => tv("interaction", x.type)], [t("when"), (x) => when(x.at)], [t("who"), (x) => x.by],
    [t("notes"), (x) => x.notes], [t("score"), (x) => x.score ?? "", "num"],
    [t("field.reply_due_at"), (x) => (x.reply_due_at ? [when(x.reply_due_at), x.overdue ? [" ", badge(t("overdue"), "bad")] : ""] : "—")],
    [t("field.reply"), (x) => x.reply || "—"],
  ], itemsOf(interactions).slice().sort((a, b) => String(b.at).localeCompare(String(a.at))));
  const mayRecord = api.can("POST", "/customers/{customer_id}/interactions");
  const record = mayRecord ? form(t("record_interaction"), [
    h("div", { class: "row" },
      field("type", t("type"), select(INTERACTION_TYPES.map((x) => [x, tv("interaction", x)]))),
      field("score", `${t("score")} (1-5)`, input({ type: "number", min: 1, max: 5 }))),
    field("notes", t("notes"), h("textarea")),
  ], async (f) => {
    const body = { type: value(f, "type"), notes: value(f, "notes") };
    if (value(f, "score")) body.score = numberOr(value(f, "score"));
    await api.post(`/customers/${encodeURIComponent(id)}/interactions`, body);
    reload();
  }, { button: t("save"), name: "interaction" }) : null;
  return [h("h2", {}, t("interactions")), rows, record];
}

export async function detail(id) {
  const base = `/customers/${encodeURIComponent(id)}`;
  const c = await api.get(base);
  const may = (path) => api.can("GET", path);
  const [grade, history, risk, warnings, interactions] = await Promise.all([
    may("/customers/{customer_id}/grade") ? optional(`${base}/grade`) : null,
    may("/customers/{customer_id}/grade-history") ? optional(`${base}/grade-history`) : null,
    may("/customers/{customer_id}/risk") ? optional(`${base}/risk`) : null,
    may("/warnings") ? optional("/warnings", { customer_id: id, per_page: 50 }) : null,
    may("/customers/{customer_id}/interactions") ? optional(`${base}/interactions`) : null,
  ]);
  const links = [
    may("/complaints") ? h("a", { href: `#/complaints?customer_id=${encodeURIComponent(id)}`, "data-customer": id }, t("complaints_of")) : null,
    may("/finance/customers/{customer_id}/ledger") ? h("a", { href: `#/finance/ledger/${encodeURIComponent(id)}` }, t("ledger_link")) : null,
  ].filter(Boolean);
  return [
    h("h1", {}, `${t("card")}: `, h("span", { "data-testid": "customer-name" }, c.name)),
    links.length ? h("p", { class: "row" }, links) : null,
    card(c),
    grade ? [h("h2", {}, t("grade")), grading(grade, history)] : null,
    risk ? [h("h2", {}, t("risk")), riskSection(risk)] : null,
    warnings ? [h("h2", {}, t("warnings")), warningRows(warnings)] : null,
    interactionSection(id, interactions),
  ];
}
