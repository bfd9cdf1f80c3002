// Customer cards: grade (rule C6), risk (rule C8), warnings and interactions (rule C9), with
// personal data masked exactly as the API gives it (the console unmasks nothing).
import * as api from "./api.js";
import { t, tv } from "./i18n.js";
import { facts, field, form, h, input, reload, table, value, when } from "./ui.js";

let q = "";

export async function list() {
  const data = await api.get("/customers", { q, per_page: 100 });
  const f = form("", [field("q", t("search"), input({ type: "search", value: q }))],
    async (f) => { q = value(f, "q"); reload(); }, { button: t("search"), cls: "inline", name: "customer-search" });
  return [
    h("h1", {}, t("customers")), f,
    table([
      [t("name"), (c) => h("a", { href: `#/customers/${encodeURIComponent(c.id)}` }, c.name)],
      [t("status"), (c) => tv("status", c.status)], [t("grade"), (c) => c.grade || "—"], [t("risk"), (c) => c.risk || "—"],
      [t("region"), (c) => c.region || ""], [t("owner"), (c) => c.owner || ""],
    ], data.items),
  ];
}

async function optional(path, params) {
  try { return await api.get(path, params); } catch (error) { return { error }; }
}

export async function detail(id) {
  const base = `/customers/${encodeURIComponent(id)}`;
  const c = await api.get(base);
  const [grade, risk, warnings, interactions] = await Promise.all([
    optional(`${base}/grade`), optional(`${base}/risk`),
    optional("/warnings", { customer_id: id, per_page: 50 }),
    api.can("GET", "/customers/{customer_id}/interactions") ? optional(`${base}/interactions`) : null,
  ]);
  const failed = (x) => x && x.error ? h("p", { class: "muted" }, `${x.error.status} ${x.error.code}`) : null;
  const interactionItems = interactions && !interactions.error ? (interactions.items || interactions) : [];
  return [
    h("h1", {}, `${t("card")}: ${c.name}`),
    facts([[t("status"), tv("status", c.status)], [t("grade"), c.grade || "—"], [t("risk"), c.risk || "—"],
      [t("region"), c.region], [t("owner"), c.owner], ["nature", c.nature], ["tax no.", c.tax_no], ["licence", c.license_no],
      ["address", c.address], ["settlement", c.settlement_terms], ["discount", c.discount], ["credit limit", c.credit_limit],
      ["over-acceptance", c.over_acceptance_ratio]]),
    h("h2", {}, t("contacts")),
    table([[t("name"), (x) => x.name], ["position", (x) => x.position || ""], [t("phone"), (x) => x.phone || ""], [t("email"), (x) => x.email || ""]], c.contacts || []),
    h("h2", {}, t("grade")),
    failed(grade) || facts(Object.entries(grade).filter(([, v]) => typeof v !== "object").map(([k, v]) => [k, String(v)])),
    h("h2", {}, t("risk")),
    failed(risk) || [facts(Object.entries(risk).filter(([, v]) => typeof v !== "object").map(([k, v]) => [k, String(v)])),
      table([["factor", (f) => f.name || f.factor || JSON.stringify(f)], ["points", (f) => f.points ?? "", "num"]], risk.factors || [])],
    h("h2", {}, t("warnings")),
    failed(warnings) || table([[t("type"), (w) => w.type], [t("status"), (w) => tv("status", w.status)], [t("owner"), (w) => w.owner || ""],
      [t("when"), (w) => when(w.raised_at || w.created_at)]], warnings.items || []),
    interactions ? [h("h2", {}, t("interactions")), failed(interactions) ||
      table([[t("type"), (x) => x.type], [t("when"), (x) => when(x.at || x.occurred_at || x.created_at)], [t("who"), (x) => x.by || x.recorded_by || ""],
        [t("notes"), (x) => x.summary || x.notes || x.content || ""]], interactionItems)] : null,
  ];
}
