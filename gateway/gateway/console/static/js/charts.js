// Small SVG charts drawn with the DOM (no library): horizontal bars for a breakdown and
// lines for trends. Each <svg> is role="img" with a <title> and an aria-label that sum it
// up; the page shows the same numbers as a table beside it. Colours and type come from
// style.css classes (the CSP forbids style attributes).
import { h } from "./ui.js";

// The SVG namespace, as the HTML parser itself gives it to an <svg> element (the console's
// files name no other address).
const NS = new DOMParser().parseFromString("<svg></svg>", "text/html").body.firstChild.namespaceURI;
const SERIES = 6; // style.css has .series-0 ... .series-5
// widths at the charts' 13px type, a little generous: a Latin character, a CJK one
const [LATIN, WIDE] = [8, 13.5];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const title = (text) => s("title", {}, text);

/** The width the text takes in the charts' type, roughly. */
function textWidth(text) {
  let n = 0;
  for (const c of String(text)) n += c.codePointAt(0) > 0x2e7f ? WIDE : LATIN;
  return n;
}

function clip(text, width) {
  if (textWidth(text) <= width + 0.5) return String(text);
  const chars = [...String(text)];
  while (chars.length > 1 && textWidth(chars.join("") + "…") > width) chars.pop();
  return chars.join("") + "…";
}

function svg(label, width, height, cls, children) {
  return s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label,
    class: `chart ${cls}`, preserveAspectRatio: "xMinYMin meet" }, title(label), children);
}

/** Horizontal bars: ``rows`` of {label, value (a number), text (the value as shown)}.
 * ``label`` of the whole chart names it for screen readers, with its rows' numbers. */
export function barChart({ label, rows, width = 640, max = null }) {
  const shown = rows.filter((r) => Number.isFinite(r.value));
  const left = Math.min(220, Math.max(40, ...shown.map((r) => textWidth(r.label) + 12)));
  const right = Math.max(48, ...shown.map((r) => textWidth(r.text ?? r.value) + 12));
  const band = 26;
  const top = Math.max(max ?? 0, ...shown.map((r) => r.value), 0) || 1;
  const scale = (width - left - right) / top;
  const height = shown.length * band + 8;
  const summary = `${label}: ${shown.map((r) => `${r.label} ${r.text ?? r.value}`).join("; ") || "—"}`;
  return svg(summary, width, height, "bars", [
    s("line", { class: "axis", x1: left, x2: left, y1: 0, y2: height - 4 }),
    shown.map((r, i) => {
      const y = 4 + i * band;
      const w = Math.max(r.value > 0 ? 1 : 0, r.value * scale);
      return s("g", { class: "bar-row" }, title(`${r.label}: ${r.text ?? r.value}`),
        s("text", { class: "label", x: left - 6, y: y + band / 2, "text-anchor": "end", "dominant-baseline": "middle" },
          clip(r.label, left - 12)),
        s("rect", { class: "bar", x: left, y: y + 3, width: w.toFixed(1), height: band - 8 }),
        s("text", { class: "value", x: left + w + 5, y: y + band / 2, "dominant-baseline": "middle" }, r.text ?? r.value));
    }),
  ]);
}

/** Round steps for an axis from ``low`` to ``high``: about ``count`` ticks. */
export function ticks(low, high, count = 5) {
  if (!(high > low)) high = low + 1;
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= raw);
  const out = [];
  for (let v = Math.floor(low / step) * step; v <= high + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  if (out[out.length - 1] < high) out.push(Number((out[out.length - 1] + step).toFixed(10)));
  return out;
}

/** Lines over periods: ``x`` the periods' labels, ``series`` [{name, values (numbers or
 * null: no point, the line breaks)}], ``format(value)`` for ticks and tooltips; ``min`` /
 * ``max`` fix the value axis (rates: 0 and 1), otherwise it fits the values; ``plotH`` is
 * the plot's height, the legend's rows come below it. */
export function lineChart({ label, x, series, format = String, min = null, max = null, width = 560, plotH = 180 }) {
  const values = series.flatMap((one) => one.values).filter((v) => Number.isFinite(v));
  const low = min ?? Math.min(0, ...values);
  const high = Math.max(max ?? -Infinity, ...values, low);
  const marks = ticks(low, high > low ? high : low + 1, 4);
  const [y0, y1] = [marks[0], marks[marks.length - 1]];
  const left = Math.max(...marks.map((m) => textWidth(format(m)))) + 14;
  const right = Math.max(16, textWidth(x[x.length - 1] ?? "") / 2 + 4);
  const plotW = width - left - right;
  // the legend flows in rows under the plot: [series index, x offset, row]
  const legend = [];
  let [lx, rows] = [0, 1];
  series.forEach((one, n) => {
    const w = 28 + Math.min(textWidth(one.name), plotW - 28) + 18;
    if (lx > 0 && lx + w > plotW) [lx, rows] = [0, rows + 1];
    legend.push([n, lx, rows - 1]);
    lx += w;
  });
  const [top, bottom] = [12, 28 + rows * 20];
  const height = top + plotH + bottom;
  const px = (i) => left + (x.length === 1 ? plotW / 2 : (i * plotW) / (x.length - 1));
  const py = (v) => top + plotH - ((v - y0) / (y1 - y0)) * plotH;
  const last = (one) => [...one.values].reverse().find((v) => Number.isFinite(v));
  const summary = `${label} (${x[0]} – ${x[x.length - 1]}): ${series.map((one) => {
    const v = last(one);
    return `${one.name} ${v === undefined ? "—" : format(v)}`;
  }).join("; ")}`;
  const step = Math.max(1, Math.ceil(x.length / Math.floor(plotW / 70)));
  return svg(summary, width, height, "lines", [
    marks.map((m) => s("g", { class: "tick" },
      s("line", { class: "grid", x1: left, x2: width - right, y1: py(m), y2: py(m) }),
      s("text", { class: "label", x: left - 6, y: py(m), "text-anchor": "end", "dominant-baseline": "middle" }, format(m)))),
    x.map((period, i) => (i % step === 0 || i === x.length - 1
      ? s("text", { class: "label", x: px(i), y: top + plotH + 16, "text-anchor": "middle" }, period) : null)),
    s("line", { class: "axis", x1: left, x2: width - right, y1: top + plotH, y2: top + plotH }),
    s("line", { class: "axis", x1: left, x2: left, y1: top, y2: top + plotH }),
    series.map((one, n) => {
      const cls = `series series-${n % SERIES}`;
      const runs = [];
      let run = [];
      one.values.forEach((v, i) => {
        if (Number.isFinite(v)) run.push(`${px(i).toFixed(1)},${py(v).toFixed(1)}`);
        else if (run.length) { runs.push(run); run = []; }
      });
      if (run.length) runs.push(run);
      return s("g", { class: cls },
        runs.filter((r) => r.length > 1).map((r) => s("polyline", { class: "line", points: r.join(" ") })),
        one.values.map((v, i) => (Number.isFinite(v)
          ? s("g", { class: "point" }, title(`${one.name}, ${x[i]}: ${format(v)}`),
            marker(n, px(i), py(v)))
          : null)));
    }),
    legend.map(([n, dx, row]) => {
      const [x0, y] = [left + dx, top + plotH + 40 + row * 20];
      return s("g", { class: `legend series series-${n % SERIES}` },
        s("line", { class: "line", x1: x0, x2: x0 + 22, y1: y, y2: y }), marker(n, x0 + 11, y),
        s("text", { class: "label", x: x0 + 28, y, "dominant-baseline": "middle" }, clip(series[n].name, plotW - 28)));
    }),
  ]);
}

/** Each series its own marker shape as well as colour: circle, square, triangle, diamond. */
function marker(n, x, y) {
  const r = 4;
  switch (n % 4) {
    case 1: return s("rect", { class: "mark", x: x - r, y: y - r, width: 2 * r, height: 2 * r });
    case 2: return s("polygon", { class: "mark", points: `${x},${y - r - 1} ${x + r + 1},${y + r} ${x - r - 1},${y + r}` });
    case 3: return s("polygon", { class: "mark", points: `${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}` });
    default: return s("circle", { class: "mark", cx: x, cy: y, r });
  }
}

/** A chart with its caption (and, when given, what goes under it: the numbers' table). */
export function figure(caption, chart, ...after) {
  return h("figure", { class: "chart" }, h("figcaption", {}, caption), chart, after);
}
