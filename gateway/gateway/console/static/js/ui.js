// A few DOM helpers: elements, labelled fields, tables and the API's errors beside the
// fields they name. No inline styles or scripts (the page's CSP allows neither).
import * as api from "./api.js";
import { t } from "./i18n.js";

let serial = 0;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A labelled input: field("sku", t("sku"), h("input", ...)); the API's error for the field
 * ``name`` (its path in the body, "lines.0.sku") shows under it. */
export function field(name, label, input, { check = false } = {}) {
  const id = input.id || `f${++serial}`;
  input.id = id;
  if (!input.name) input.name = name;
  const error = h("span", { class: "err", "data-err": name, id: `${id}-err`, role: "alert" });
  input.setAttribute("aria-describedby", error.id);
  const lab = h("label", { for: id }, label);
  return h("div", { class: check ? "field check" : "field" }, check ? [input, lab] : [lab, input], error);
}

export const input = (attrs = {}) => h("input", { type: "text", ...attrs });

export function select(options, attrs = {}, group = null, tv = null) {
  return h("select", attrs, options.map((o) => {
    const [value, label] = Array.isArray(o) ? o : [o, group && tv ? tv(group, o) : o];
    return h("option", { value, selected: attrs.value === value }, label);
  }));
}

function flatten(details, prefix = "", out = {}) {
  for (const [key, value] of Object.entries(details || {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value) && value.every((v) => typeof v !== "object")) out[path] = value.join(" ");
    else if (value && typeof value === "object" && !Array.isArray(value)) flatten(value, path, out);
    else out[path] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  return out;
}

/** Clear a form's messages, then show an API error: each problem of ``details`` under the
 * field it names (or the nearest enclosing one), the message at the form's head. */
export function showError(form, error) {
  clearErrors(form);
  const head = form.querySelector(".form-error");
  const text = error.status ? `${error.status} ${error.code}: ${error.message}` : String(error.message || error);
  const rest = [];
  for (const [path, problem] of Object.entries(flatten(error.details))) {
    const parts = path.split(".").filter((p) => p !== "json");
    let spot = null;
    for (let n = parts.length; n > 0 && !spot; n--) spot = form.querySelector(`[data-err="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (spot) spot.textContent = problem;
    else rest.push(`${parts.join(".")}: ${problem}`);
  }
  if (head) head.textContent = [text, ...rest].join(" — ");
}

export function clearErrors(form) {
  form.querySelectorAll(".err, .form-error, .notice").forEach((el) => { el.textContent = ""; });
}

/** A form whose submit runs ``action(form)`` and shows the API's errors in place. */
export function form(title, children, action, { button = t("save"), cls = "", name = "" } = {}) {
  const f = h("form", { class: cls, "aria-label": title, "data-form": name, novalidate: true });
  const head = h("p", { class: "form-error", role: "alert" });
  const ok = h("p", { class: "notice", role: "status" });
  const submit = h("button", { type: "submit" }, button);
  append(f, [title ? h("h3", {}, title) : null, head, children, h("div", {}, submit), ok]);
  f.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(f);
    submit.disabled = true;
    try {
      await action(f);
      if (f.isConnected) ok.textContent = t("saved");
    } catch (error) {
      showError(f, error);
      if (!error.status) console.error(error);
    } finally {
      submit.disabled = false;
    }
  });
  return f;
}

export function table(columns, rows, { caption = null, empty = t("empty") } = {}) {
  if (!rows || rows.length === 0) return h("p", { class: "muted" }, empty);
  return h("table", {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, columns.map(([label, , cls]) => h("th", { scope: "col", class: cls }, label)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell, cls]) => h("td", { class: cls }, cell(row)))))));
}

export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

export function when(value) {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
}

export function badge(text, kind = "") { return h("span", { class: `badge ${kind}` }, text); }

export function value(f, name) {
  const el = f.elements.namedItem(name);
  if (!el) return undefined;
  if (el.type === "checkbox") return el.checked;
  return el.value.trim();
}

export function numberOr(text) {
  if (text === "" || text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) ? n : text;
}

/** Show the current page again (after an action changed what it shows). */
export function reload() { window.dispatchEvent(new HashChangeEvent("hashchange")); }

/** Rows of inputs that grow with an "add" button: lines of a complaint, a plan's actions. */
export function rowList(name, makeRow, addLabel, initial = 1) {
  const rows = h("div", { class: "rows", "data-err": name });
  let n = 0;
  const add = () => rows.append(makeRow(n++));
  for (let i = 0; i < initial; i++) add();
  return h("fieldset", {}, h("legend", {}, addLabel.legend), rows,
    h("button", { type: "button", class: "secondary", onclick: add }, addLabel.button));
}

/** A button that downloads a file of the API with my token (a PDF form, an .xlsx workbook);
 * the API's error shows beside it. */
export function downloadButton(label, path, filename, testid = null) {
  const problem = h("span", { class: "err", role: "alert" });
  const button = h("button", { type: "button", class: "secondary", "data-testid": testid }, label);
  button.addEventListener("click", async () => {
    problem.textContent = "";
    button.disabled = true;
    try {
      await api.download(path, filename);
    } catch (error) {
      problem.textContent = `${error.status || ""} ${error.code || ""}: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "toolbar" }, button, problem);
}
