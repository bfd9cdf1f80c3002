// The console's shell: sign-in, the menu of the pages my roles may use, and a router over
// the URL's #fragment (#/complaints/42 ...).
import * as api from "./api.js";
import { language, setLanguage, t, tv } from "./i18n.js";
import { field, form, h, input, table, value } from "./ui.js";
import * as complaints from "./complaints.js";
import * as approvals from "./approvals.js";
import * as returns from "./returns.js";
import * as finance from "./finance.js";
import * as customers from "./customers.js";
import * as reports from "./reports.js";
import * as kpis from "./kpis.js";

const main = document.getElementById("main");

// [fragment, label key, may I (after the spec is loaded)]
const MENU = [
  ["#/complaints", "nav_queue", () => api.can("GET", "/complaints")],
  ["#/complaints/new", "nav_new", () => api.can("POST", "/complaints")],
  // plans waiting for my rank (rule P6) or change requests waiting for my side (rule C4)
  ["#/approvals", "nav_approvals", () => approvals.mayView()],
  ["#/returns", "nav_returns", () => api.can("POST", "/returns/{return_id}/receipts") || api.can("POST", "/returns/{return_id}/inspection")],
  ["#/finance", "nav_finance", () => api.can("GET", "/finance/reconciliations")],
  ["#/customers", "nav_customers", () => api.can("GET", "/customers")],
  ["#/reports", "nav_reports", () => reports.mayView()],
  ["#/kpis", "nav_kpis", () => kpis.mayView()],
  ["#/me", "nav_me", () => true],
];

const ROUTES = [
  [/^#\/complaints\/new$/, () => complaints.register()],
  [/^#\/complaints\/([^/]+)$/, (m) => complaints.detail(decodeURIComponent(m[1]))],
  // the queue's filters may come in the URL's query: #/complaints?customer_id=…&status=…
  [/^#\/complaints(?:\?.*)?$/, () => complaints.queue()],
  [/^#\/approvals$/, () => approvals.page()],
  [/^#\/returns\/([^/]+)$/, (m) => returns.detail(decodeURIComponent(m[1]))],
  [/^#\/returns$/, () => returns.list()],
  [/^#\/finance\/ledger\/([^/]+)$/, (m) => finance.page("ledger", decodeURIComponent(m[1]))],
  [/^#\/finance(?:\/(\w+))?$/, (m) => finance.page(m[1] || "reconciliations")],
  [/^#\/customers\/([^/]+)$/, (m) => customers.detail(decodeURIComponent(m[1]))],
  [/^#\/customers$/, () => customers.list()],
  [/^#\/reports$/, () => reports.page()],
  [/^#\/kpis$/, () => kpis.page()],
  [/^#\/me$/, () => whoami()],
];

function renderChrome() {
  document.title = t("title");
  document.getElementById("brand").textContent = t("title");
  document.getElementById("lang").textContent = t("lang_switch");
  document.getElementById("nav").setAttribute("aria-label", t("main_menu"));
  const who = api.me();
  const signout = document.getElementById("signout");
  signout.hidden = !who;
  signout.textContent = t("signout");
  document.getElementById("whoami").textContent = who ? `${t("signed_in_as")}: ${who.username}` : "";
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  if (!who) return;
  const here = (location.hash || "#/complaints").split("?")[0]; // #/complaints?customer_id=…
  for (const [href, key, may] of MENU) {
    if (!may()) continue;
    const current = here === href || (href !== "#/complaints" && here.startsWith(href + "/") && href !== "#/complaints/new");
    nav.append(h("a", { href, "aria-current": current ? "page" : null }, t(key)));
  }
}

function signInPage() {
  const f = form(t("signin"), [
    field("username", t("username"), input({ autocomplete: "username", required: true })),
    field("password", t("password"), input({ type: "password", autocomplete: "current-password", required: true })),
  ], async (f) => {
    await api.signIn(value(f, "username"), f.elements.namedItem("password").value);
    if (!location.hash || location.hash === "#/signin") location.hash = "#/me";
    else route();
  }, { button: t("signin"), name: "signin" });
  return [h("h1", {}, t("signin")), f];
}

function whoami() {
  const who = api.me();
  const mine = [];
  for (const [path, ops] of Object.entries(api.spec().paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!["get", "post", "patch", "put", "delete"].includes(method) || !path.startsWith("/api/v1/")) continue;
      if (api.can(method, path.slice(7))) mine.push({ method: method.toUpperCase(), path: path.slice(7), summary: op.summary || "" });
    }
  }
  return [
    h("h1", {}, t("whoami")),
    h("dl", { class: "facts" },
      h("dt", {}, t("username")), h("dd", { "data-testid": "me-username" }, who.username),
      h("dt", {}, t("roles")), h("dd", { "data-testid": "me-roles" }, who.roles.map((r) => `${tv("role", r)} (${r})`).join("、")),
      h("dt", {}, t("department")), h("dd", {}, who.department || "—"),
      h("dt", {}, t("expires")), h("dd", {}, who.expires.toLocaleString())),
    h("h2", {}, t("may")),
    table([["HTTP", (o) => o.method], ["Path", (o) => o.path], [t("description"), (o) => o.summary]], mine),
  ];
}

let routing = 0;

async function route() {
  const mine = ++routing;
  renderChrome();
  if (!api.me()) {
    main.replaceChildren(...signInPage());
    return;
  }
  const hash = location.hash && location.hash !== "#/" && location.hash !== "#/signin" ? location.hash : "#/complaints";
  const found = ROUTES.map(([re, page]) => [hash.match(re), page]).find(([m]) => m);
  main.replaceChildren(h("p", { "aria-busy": "true" }, t("loading")));
  let content;
  try {
    content = found ? await found[1](found[0]) : [h("h1", {}, t("not_found"))];
  } catch (error) {
    content = [h("h1", {}, t("error")), h("p", { class: "form-error", role: "alert" },
      error.status ? `${error.status} ${error.code}: ${error.message}` : String(error))];
    if (!error.status) console.error(error);
  }
  if (mine !== routing) return;
  main.replaceChildren(...[content].flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false));
  main.dataset.page = hash.split("/")[1] || "";
}

export function refresh() { route(); }

document.getElementById("lang").addEventListener("click", () => {
  setLanguage(language() === "en" ? "zh" : "en");
  route();
});
document.getElementById("signout").addEventListener("click", () => {
  api.signOut();
  location.hash = "#/signin";
  route();
});
window.addEventListener("hashchange", route);
window.addEventListener("console:signed-out", route);

setLanguage(language());
api.loadSpec().then(route, (error) => {
  main.replaceChildren(h("p", { class: "form-error", role: "alert" }, String(error.message || error)));
});
