// Complaints: the queue with its SLA clocks, a case with the next step for my roles and the
// register form; my approvals (approvals.js) use its rank (rule P6: a plan waits for its
// required approver's rank), case link and plan summary.
import * as api from "./api.js";
import { addWords, t, tv } from "./i18n.js";
import { badge, downloadButton, facts, field, form, h, input, numberOr, reload, rowList, select, table, value, when } from "./ui.js";

addWords({
  // what a history entry records (its action), in words
  "history.registered": ["登记", "registered"], "history.accepted": ["受理", "accepted"],
  "history.rejected": ["不予受理", "rejected"], "history.investigated": ["调查完成", "investigated"],
  "history.plan_posted": ["提交方案", "plan posted"], "history.plan_approved": ["方案批准", "plan approved"],
  "history.plan_sent_back": ["方案退回", "plan sent back"], "history.plan_accepted": ["客户接受方案", "customer accepted the plan"],
  "history.plan_declined": ["客户不接受方案", "customer declined the plan"],
  "history.return_authorized": ["退货授权", "return authorized"], "history.return_received": ["退货签收", "return received"],
  "history.return_inspected": ["退货检验", "return inspected"], "history.shipped": ["补发/换货发出", "shipped"],
  "history.voucher_issued": ["开具凭证", "voucher issued"], "history.reconciliation_exception": ["对账异常", "reconciliation exception"],
  "history.resolved": ["已解决", "resolved"], "history.followed_up": ["回访", "followed up"],
  "history.follow_up": ["回访", "follow-up"], "history.closed": ["结案", "closed"],
  "history.reminder_issued": ["催办通知", "reminder issued"], "history.escalated": ["升级通知", "escalated"],
  handling_form_pdf: ["打印客户投诉处理表 (PDF)", "Print the complaint handling form (PDF)"],
  queue_of_customer: ["仅显示该客户的投诉", "Only this customer's complaints"],
  plan_id: ["方案编号", "Plan id"], return_id: ["退货单编号", "Return id"], voucher_id: ["传票编号", "Voucher id"],
  more_items: ["另 {n} 项", "{n} more"], changes: ["变更内容", "Changes"], due_at: ["承诺期限", "Promised by"],
});

const HANDLING_FORM = "/complaints/{complaint_id}/handling-form.pdf";

const STATUSES = ["registered", "accepted", "rejected", "investigated", "planning", "executing", "resolved", "closed"];
const CHANNELS = ["phone", "on_site", "email", "hotline", "pickup_point", "letter"];
const REQUESTS = ["return", "exchange", "allowance", "compensation", "replenishment", "other"];
const ACTION_TYPES = ["return", "exchange", "allowance", "compensation", "replenishment", "rework"];
const MONEY_ACTIONS = ["allowance", "compensation"];
export const RANK = { cs_manager: 1, vp: 2, gm: 3 };

export function myRank() {
  const who = api.me();
  if (who.roles.includes("admin")) return 99;
  return Math.max(0, ...who.roles.map((r) => RANK[r] || 0));
}

export const link = (c) => h("a", { href: `#/complaints/${encodeURIComponent(c.id)}` }, c.number || c.id);

function clock(c) {
  if (["closed", "rejected"].includes(c.status)) return badge(t("done"), "ok");
  const late = c.overdue || (c.step_due_at && new Date(c.step_due_at) < new Date());
  return late ? badge(t("overdue"), "bad") : "—";
}

const reminders = (c) => (c.notices || []).length || "—";

let names = {};

async function customerNames(ids) {
  names = await api.customerNames(ids);
}

function queueTable(items) {
  return table([
    [t("number"), link],
    [t("customer"), (c) => names[c.customer_id] || c.customer_id],
    [t("status"), (c) => tv("status", c.status)],
    [t("step"), (c) => tv("step", c.current_step)],
    [t("step_due"), (c) => when(c.step_due_at)],
    [t("due"), (c) => when(c.due_at)],
    [t("reminded"), reminders, "num"],
    [t("overdue"), clock],
  ], items);
}

const filters = { status: "", customer_id: "", overdue: false, page: 1 };
let shown = null; // the filters of the URL the queue last showed: a new one starts at page 1

/** The queue's filters as the URL's query: #/complaints?customer_id=…&status=…&overdue=1
 * (a customer card links to its customer's complaints so). */
function queueHash({ status, customer_id: customer, overdue }) {
  const query = new URLSearchParams(Object.entries({ customer_id: customer, status, overdue: overdue ? "1" : "" })
    .filter(([, v]) => v)).toString();
  return `#/complaints${query ? `?${query}` : ""}`;
}

function filtersOfHash() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  return {
    status: params.get("status") || "",
    customer_id: params.get("customer_id") || "",
    overdue: ["1", "true"].includes(params.get("overdue") || ""),
  };
}

export async function queue() {
  const wanted = filtersOfHash();
  if (JSON.stringify(wanted) !== shown) filters.page = 1;
  shown = JSON.stringify(wanted);
  Object.assign(filters, wanted);
  const data = await api.get("/complaints", { ...filters, per_page: 50, page: filters.page });
  await customerNames([filters.customer_id, ...data.items.map((c) => c.customer_id)]);
  const f = form("", [
    field("status", t("status"), select([["", t("any")], ...STATUSES.map((s) => [s, tv("status", s)])], {}, null)),
    field("customer_id", t("customer_id"), input({ value: filters.customer_id })),
    field("overdue", t("overdue"), input({ type: "checkbox", checked: filters.overdue }), { check: true }),
  ], async (f) => {
    const next = queueHash({ status: value(f, "status"), customer_id: value(f, "customer_id"), overdue: value(f, "overdue") });
    if (next === location.hash) reload();
    else location.hash = next;
  }, { button: t("filter"), cls: "inline", name: "queue-filter" });
  f.elements.namedItem("status").value = filters.status;
  const pages = Math.max(1, Math.ceil(data.total / data.per_page));
  return [
    h("h1", {}, t("nav_queue")),
    f,
    filters.customer_id ? h("p", { "data-testid": "queue-customer" }, `${t("queue_of_customer")}: `,
      h("a", { href: `#/customers/${encodeURIComponent(filters.customer_id)}` }, names[filters.customer_id] || filters.customer_id),
      " · ", h("a", { href: queueHash({ ...filters, customer_id: "" }) }, t("any"))) : null,
    h("p", {}, `${t("total")} ${data.total}`),
    queueTable(data.items),
    h("div", { class: "row" },
      h("button", { type: "button", class: "secondary", disabled: filters.page <= 1, onclick: () => { filters.page--; reload(); } }, t("prev")),
      h("span", {}, `${filters.page} / ${pages}`),
      h("button", { type: "button", class: "secondary", disabled: filters.page >= pages, onclick: () => { filters.page++; reload(); } }, t("next"))),
  ];
}

function lineRow(prefix, defaults = {}) {
  return (n) => h("div", { class: "row" },
    field(`${prefix}.${n}.sku`, t("sku"), input({ value: defaults.sku })),
    field(`${prefix}.${n}.description`, t("line_desc"), input({ value: defaults.description })),
    field(`${prefix}.${n}.quantity`, t("quantity"), input({ type: "number", min: 1, value: defaults.quantity })),
    field(`${prefix}.${n}.unit_price`, t("unit_price"), input({ inputmode: "decimal", value: defaults.unit_price })));
}

function readLines(f, prefix) {
  const lines = [];
  for (let n = 0; f.elements.namedItem(`${prefix}.${n}.sku`); n++) {
    const line = {
      sku: value(f, `${prefix}.${n}.sku`),
      quantity: numberOr(value(f, `${prefix}.${n}.quantity`)),
      unit_price: value(f, `${prefix}.${n}.unit_price`),
    };
    const description = value(f, `${prefix}.${n}.description`);
    if (description) line.description = description;
    if (line.sku || line.quantity || line.unit_price) lines.push(line);
  }
  return lines;
}

export async function register() {
  if (!api.can("POST", "/complaints")) return [h("h1", {}, t("nav_new")), h("p", {}, t("not_allowed"))];
  const found = await api.get("/customers", { status: "active", per_page: 200 });
  const f = form(t("nav_new"), [
    h("div", { class: "row" },
      field("customer_id", t("customer"), select([["", "—"], ...found.items.map((c) => [c.id, c.name])])),
      field("channel", t("channel"), select(CHANNELS.map((c) => [c, tv("channel", c)]))),
      field("order_no", t("order_no"), input()),
      field("ship_date", t("ship_date"), input({ type: "date" })),
      field("request", t("request"), select(REQUESTS.map((r) => [r, tv("type", r)])))),
    field("description", t("description"), h("textarea")),
    rowList("lines", lineRow("lines"), { legend: t("lines"), button: t("add_line") }),
  ], async (f) => {
    const created = await api.post("/complaints", {
      customer_id: value(f, "customer_id"), channel: value(f, "channel"), order_no: value(f, "order_no"),
      ship_date: value(f, "ship_date") || null, description: value(f, "description"), request: value(f, "request"),
      lines: readLines(f, "lines"),
    });
    location.hash = `#/complaints/${encodeURIComponent(created.id)}`;
  }, { name: "register" });
  return [h("h1", {}, t("nav_new")), f];
}

export function planSummary(plan) {
  return plan.actions.map((a) => `${tv("type", a.type)} ${a.amount ?? ""}`).join("、");
}

function nextSteps(c) {
  const url = `/complaints/${encodeURIComponent(c.id)}`;
  const forms = [];
  const done = () => reload();
  const plans = c.plans || [];
  const pending = plans.find((p) => p.status === "pending_approval");
  const approved = plans.find((p) => p.status === "approved");
  if (c.status === "registered" && api.can("POST", "/complaints/{complaint_id}/accept")) {
    forms.push(form(t("accept"), [field("promised_days", t("promised_days"), input({ type: "number", min: 1, max: 365, value: 7 }))],
      async (f) => { await api.post(`${url}/accept`, { promised_days: numberOr(value(f, "promised_days")) }); done(); },
      { button: t("accept"), name: "accept" }));
    forms.push(form(t("reject"), [field("reason", t("reason"), h("textarea"))],
      async (f) => { await api.post(`${url}/reject`, { reason: value(f, "reason") }); done(); },
      { button: t("reject"), name: "reject" }));
  }
  if (c.status === "accepted" && api.can("POST", "/complaints/{complaint_id}/investigation")) {
    const party = (n) => h("div", { class: "row" },
      field(`responsibility.${n}.department`, t("department"), input()),
      field(`responsibility.${n}.person`, t("person"), input()),
      field(`responsibility.${n}.share`, t("share"), input({ inputmode: "decimal", value: n === 0 ? "1.00" : "" })));
    forms.push(form(t("investigation"), [
      field("findings", t("findings"), h("textarea")),
      h("div", { class: "row" },
        field("cause", t("cause"), input()),
        field("cause_category", t("cause_category"), select(["non_sales", "sales"].map((v) => [v, tv("cause", v)])))),
      rowList("responsibility", party, { legend: t("responsibility"), button: t("add_person") }),
      field("improvement", t("improvement"), h("textarea")),
    ], async (f) => {
      const responsibility = [];
      for (let n = 0; f.elements.namedItem(`responsibility.${n}.department`); n++) {
        const r = { department: value(f, `responsibility.${n}.department`), share: value(f, `responsibility.${n}.share`) };
        const person = value(f, `responsibility.${n}.person`);
        if (person) r.person = person;
        if (r.department || r.share) responsibility.push(r);
      }
      const body = { findings: value(f, "findings"), cause: value(f, "cause"), cause_category: value(f, "cause_category"), responsibility };
      if (value(f, "improvement")) body.improvement = value(f, "improvement");
      await api.post(`${url}/investigation`, body);
      done();
    }, { name: "investigation" }));
  }
  if (["investigated", "planning"].includes(c.status) && !pending && !approved && api.can("POST", "/complaints/{complaint_id}/plans")) {
    const first = (c.lines || [])[0] || {};
    const action = (n) => h("div", { class: "row" },
      field(`actions.${n}.type`, t("type"), select(ACTION_TYPES.map((v) => [v, tv("type", v)]))),
      field(`actions.${n}.lines.0.sku`, t("sku"), input({ value: n === 0 ? first.sku : "" })),
      field(`actions.${n}.lines.0.quantity`, t("quantity"), input({ type: "number", min: 1, value: n === 0 ? first.quantity : "" })),
      field(`actions.${n}.lines.0.unit_price`, t("unit_price"), input({ inputmode: "decimal", value: n === 0 ? first.unit_price : "" })),
      field(`actions.${n}.amount`, `${t("amount")} (${tv("type", "allowance")}/${tv("type", "compensation")})`, input({ inputmode: "decimal" })));
    forms.push(form(t("post_plan"), [rowList("actions", action, { legend: t("actions"), button: t("add_action") })], async (f) => {
      const actions = [];
      for (let n = 0; f.elements.namedItem(`actions.${n}.type`); n++) {
        const type = value(f, `actions.${n}.type`);
        const sku = value(f, `actions.${n}.lines.0.sku`);
        const amount = value(f, `actions.${n}.amount`);
        if (MONEY_ACTIONS.includes(type)) {
          if (amount || !sku) actions.push({ type, amount });
        } else if (sku || n === 0) {
          actions.push({ type, lines: [{ sku, quantity: numberOr(value(f, `actions.${n}.lines.0.quantity`)), unit_price: value(f, `actions.${n}.lines.0.unit_price`) }] });
        }
      }
      await api.post(`${url}/plans`, { actions });
      done();
    }, { name: "plan" }));
  }
  if (pending && api.can("POST", "/complaints/{complaint_id}/plans/{plan_id}/approve") && myRank() >= (RANK[pending.required_approver] || 0)) {
    const purl = `${url}/plans/${encodeURIComponent(pending.id)}`;
    forms.push(form(`${t("approve")}: ${t("round")} ${pending.round}, ${pending.amount}`, [h("p", {}, planSummary(pending))],
      async () => { await api.post(`${purl}/approve`); done(); }, { button: t("approve"), name: "approve" }));
    forms.push(form(t("send_back"), [field("reason", t("reason"), h("textarea"))],
      async (f) => { await api.post(`${purl}/send-back`, { reason: value(f, "reason") }); done(); },
      { button: t("send_back"), name: "send-back" }));
  }
  if (approved && api.can("POST", "/complaints/{complaint_id}/plans/{plan_id}/customer-response")) {
    forms.push(form(t("customer_response"), [
      field("accepted", t("accepted"), select([["true", t("yes")], ["false", t("no")]])),
      field("comment", t("comment"), h("textarea")),
    ], async (f) => {
      const body = { accepted: value(f, "accepted") === "true" };
      if (value(f, "comment")) body.comment = value(f, "comment");
      await api.post(`${url}/plans/${encodeURIComponent(approved.id)}/customer-response`, body);
      done();
    }, { name: "customer-response" }));
  }
  if (c.status === "resolved" && api.can("POST", "/complaints/{complaint_id}/follow-ups")) {
    forms.push(form(t("follow_up"), [
      h("div", { class: "row" },
        field("satisfied", t("satisfied"), select([["true", t("yes")], ["false", t("no")]])),
        field("score", t("score"), input({ type: "number", min: 1, max: 5, value: 5 }))),
      field("notes", t("notes"), h("textarea")),
    ], async (f) => {
      const body = { satisfied: value(f, "satisfied") === "true", score: numberOr(value(f, "score")) };
      if (value(f, "notes")) body.notes = value(f, "notes");
      await api.post(`${url}/follow-ups`, body);
      done();
    }, { name: "follow-up" }));
  }
  return forms.length ? h("div", { class: "actions" }, forms) : h("p", { class: "muted" }, t("nothing_for_me"));
}

/** The customer's company name (every role may look names up, a warehouse clerk too),
 * else its id. */
async function customerName(id) {
  return (await api.customerNames([id]))[id] || id;
}

// A history entry's changed fields whose values are enum values: their words.
const VALUE_WORDS = {
  status: "status", cause_category: "cause", required_approver: "role", actions: "type", request: "type",
  channel: "channel", step: "step", state: "state", type: "type",
};
const LIST_SHOWN = 3;

function plainText(key, v) {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  if (Array.isArray(v)) {
    const items = v.map((x) => plainText(key, x));
    const more = items.length > LIST_SHOWN ? `、${t("more_items").replace("{n}", items.length - LIST_SHOWN)}` : "";
    return items.length ? items.slice(0, LIST_SHOWN).join("、") + more : "—";
  }
  // a nested record (a responsibility share, say): its values, named where they have a word
  if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${t(k)} ${plainText(k, x)}`).join(" ");
  if (VALUE_WORDS[key]) return tv(VALUE_WORDS[key], v);
  return /_at$/.test(key) ? when(v) : String(v);
}

/** A history entry's changes in words: "状态: 已受理 → 已调查; 原因: 装配工艺" (old → new where
 * the service recorded both), lists summarised, no JSON. */
export function changesText(changes) {
  const entries = Object.entries(changes || {});
  if (!entries.length) return "—";
  return entries.map(([key, v]) => {
    const pair = v && typeof v === "object" && !Array.isArray(v) && "old" in v && "new" in v;
    return `${t(key)}: ${pair ? `${plainText(key, v.old)} → ${plainText(key, v.new)}` : plainText(key, v)}`;
  }).join("; ");
}

export async function detail(id) {
  const c = await api.get(`/complaints/${encodeURIComponent(id)}`);
  const customer = await customerName(c.customer_id);
  const inv = c.investigation;
  const actionLink = (a) => a.return_id ? h("a", { href: `#/returns/${encodeURIComponent(a.return_id)}` }, t("return")) : "—";
  return [
    h("h1", {}, `${t("complaint")} `, h("span", { "data-testid": "case-number" }, c.number || c.id), " ", badge(tv("status", c.status), c.overdue ? "bad" : ""), " ", c.overdue ? badge(t("overdue"), "bad") : null),
    facts([
      [t("status"), h("span", { "data-testid": "case-status" }, tv("status", c.status))],
      [t("step"), tv("step", c.current_step)], [t("step_due"), when(c.step_due_at)],
      [t("due"), when(c.due_at)], [t("owner"), c.owner],
      [t("customer"), h("a", { href: `#/customers/${encodeURIComponent(c.customer_id)}` }, customer)],
    ]),
    api.can("GET", HANDLING_FORM) ? downloadButton(t("handling_form_pdf"),
      `/complaints/${encodeURIComponent(c.id)}/handling-form.pdf`, `${c.number || c.id}-handling-form.pdf`, "handling-form-pdf") : null,
    h("h2", {}, t("next_step")),
    nextSteps(c),
    h("h2", {}, t("registration")),
    facts([[t("channel"), tv("channel", c.channel)], [t("order_no"), c.order_no], [t("ship_date"), c.ship_date],
      [t("request"), tv("type", c.request)], [t("description"), c.description],
      [t("registered"), `${c.registered_by || ""} ${when(c.registered_at)}`]]),
    table([[t("sku"), (l) => l.sku], [t("line_desc"), (l) => l.description || ""], [t("quantity"), (l) => l.quantity, "num"], [t("unit_price"), (l) => l.unit_price, "num"]], c.lines),
    inv ? [h("h2", {}, t("investigation")),
      facts([[t("findings"), inv.findings], [t("cause"), inv.cause], [t("cause_category"), tv("cause", inv.cause_category)], [t("improvement"), inv.improvement]]),
      table([[t("department"), (r) => r.department], [t("person"), (r) => r.person || ""], [t("share"), (r) => r.share, "num"]], inv.responsibility)] : null,
    h("h2", {}, t("plans")),
    table([[t("round"), (p) => p.round, "num"], [t("status"), (p) => tv("status", p.status)], [t("amount"), (p) => p.amount, "num"],
      [t("required_approver"), (p) => tv("role", p.required_approver)], [t("actions"), planSummary],
      [t("who"), (p) => [p.posted_by, p.approved_by, p.responded_by].filter(Boolean).join(" → ")]], c.plans),
    h("h2", {}, t("actions")),
    table([[t("type"), (a) => tv("type", a.type)], [t("amount"), (a) => a.amount ?? "", "num"], [t("state"), (a) => tv("state", a.state)],
      [t("return"), actionLink], [t("vouchers"), (a) => a.voucher_id || "—"], [t("done_at"), (a) => when(a.done_at)]], c.actions),
    h("h2", {}, t("steps")),
    table([[t("step"), (s) => tv("step", s.name)], [t("round"), (s) => s.round, "num"], [t("department"), (s) => s.department],
      [t("started"), (s) => when(s.started_at)], [t("step_due"), (s) => when(s.due_at)],
      [t("done_at"), (s) => s.done_at ? when(s.done_at) : (new Date(s.due_at) < new Date() ? badge(t("overdue"), "bad") : "—")]], c.steps),
    h("h2", {}, t("notices")),
    table([[t("number"), (n) => n.number], [t("type"), (n) => `${n.type} / ${n.kind}`], [t("department"), (n) => n.department],
      [t("step"), (n) => tv("step", n.step)], [t("when"), (n) => when(n.issued_at)]], c.notices),
    h("h2", {}, t("follow_ups")),
    table([[t("round"), (f) => f.round, "num"], [t("satisfied"), (f) => (f.satisfied ? t("yes") : t("no"))], [t("score"), (f) => f.score, "num"],
      [t("notes"), (f) => f.notes || ""], [t("who"), (f) => f.by], [t("when"), (f) => when(f.at)]], c.follow_ups),
    h("h2", {}, t("history")),
    table([[t("when"), (e) => when(e.at)], [t("who"), (e) => e.who], [t("what"), (e) => tv("history", e.action)],
      [t("changes"), (e) => changesText(e.changes)]], c.history),
  ];
}
