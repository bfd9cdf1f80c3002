// My approvals: the complaint plans waiting for my rank (rule P6) and the customer change
// requests waiting for my side (rule C4: the market manager and finance both approve; the
// second approval applies it, any rejection ends it).
import * as api from "./api.js";
import { t, tv } from "./i18n.js";
import { field, form, h, input, reload, select, table, value, when } from "./ui.js";
import { RANK, link, myRank, planSummary } from "./complaints.js";

const APPROVE_PLAN = ["POST", "/complaints/{complaint_id}/plans/{plan_id}/approve"];
const DECIDE_CHANGE = ["POST", "/change-requests/{request_id}/decision"];
// rule C4: the two sides; admin may decide for either.
const SIDES = ["market_manager", "finance"];

export const mayApprovePlans = () => api.can(...APPROVE_PLAN);
export const mayDecideChanges = () => api.can(...DECIDE_CHANGE);
export const mayView = () => mayApprovePlans() || mayDecideChanges();

async function plansWaiting() {
  const rank = myRank();
  const found = await api.get("/complaints", { status: "planning", per_page: 200 });
  const waiting = [];
  for (const c of found.items) {
    const plans = c.plans || (await api.get(`/complaints/${encodeURIComponent(c.id)}`)).plans;
    for (const p of plans) {
      if (p.status === "pending_approval" && rank >= (RANK[p.required_approver] || 0)) waiting.push({ c, p });
    }
  }
  return waiting;
}

function plansSection(waiting, names) {
  return [
    h("h2", {}, t("approvals_plans")),
    table([[t("number"), ({ c }) => link(c)], [t("customer"), ({ c }) => names[c.customer_id] || c.customer_id], [t("round"), ({ p }) => p.round, "num"],
      [t("amount"), ({ p }) => p.amount, "num"], [t("required_approver"), ({ p }) => tv("role", p.required_approver)],
      [t("actions"), ({ p }) => planSummary(p)], [t("step_due"), ({ c }) => when(c.step_due_at)]], waiting),
  ];
}

/** The sides I decide for: my deciding roles, or both for admin. */
function mySides() {
  const roles = api.me().roles;
  return roles.includes("admin") ? SIDES : SIDES.filter((side) => roles.includes(side));
}

/** The open change requests my sides have not decided yet, newest first, each once. */
async function changesWaiting() {
  const pages = await Promise.all(mySides().map((awaiting) => api.get("/change-requests", { awaiting, per_page: 200 })));
  const byId = new Map();
  for (const r of pages.flatMap((p) => p.items)) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => (a.requested_at < b.requested_at ? 1 : a.requested_at > b.requested_at ? -1 : 0));
}

const termValue = (name, v) => (v === null || v === undefined ? "—" : name === "settlement_terms" ? tv("settlement", v) : v);

function changesOf(r) {
  return Object.entries(r.changes || {}).map(([name, c]) =>
    h("div", { "data-term": name }, `${tv("term", name)}: ${termValue(name, c.old)} → ${termValue(name, c.new)}`));
}

function decisionsOf(r) {
  if (!(r.decisions || []).length) return t("no_decisions");
  return r.decisions.map((d) => h("div", {},
    `${tv("role", d.role)} ${d.by}: ${tv("decision", d.decision)}${d.comment ? ` (${d.comment})` : ""}, ${when(d.at)}`));
}

function decisionForm(r) {
  const f = form("", [
    field("decision", t("decision"), select([["approve", tv("decision", "approve")], ["reject", tv("decision", "reject")]])),
    field("comment", t("comment"), input({ maxlength: 500 })),
  ], async (f) => {
    const body = { decision: value(f, "decision") };
    if (value(f, "comment")) body.comment = value(f, "comment");
    await api.post(`/change-requests/${encodeURIComponent(r.id)}/decision`, body);
    reload();
  }, { button: t("decide"), cls: "inline", name: "change-decision" });
  f.setAttribute("aria-label", `${t("decide")}: ${r.customer_name || r.customer_id}`);
  f.dataset.changeRequest = r.id;
  return f;
}

function changesSection(waiting) {
  return [
    h("h2", {}, t("approvals_changes")),
    table([
      [t("customer"), (r) => h("a", { href: `#/customers/${encodeURIComponent(r.customer_id)}` }, r.customer_name || r.customer_id)],
      [t("requested_changes"), changesOf],
      [t("reason"), (r) => r.reason],
      [t("requested_by"), (r) => r.requested_by],
      [t("date"), (r) => when(r.requested_at)],
      [t("decisions_so_far"), decisionsOf],
      [t("decide"), decisionForm],
    ], waiting),
  ];
}

export async function page() {
  if (!mayView()) return [h("h1", {}, t("nav_approvals")), h("p", {}, t("not_allowed"))];
  const [plans, changes] = await Promise.all([
    mayApprovePlans() ? plansWaiting() : null,
    mayDecideChanges() ? changesWaiting() : null,
  ]);
  const names = plans ? await api.customerNames(plans.map(({ c }) => c.customer_id)) : {};
  return [
    h("h1", {}, t("nav_approvals")),
    plans ? h("section", { "data-section": "plans" }, plansSection(plans, names)) : null,
    changes ? h("section", { "data-section": "change-requests" }, changesSection(changes)) : null,
  ];
}
