// The month's compiled statistics and the departments' confirmations of their share (rule
// P11): compiled on the 1st, each responsible department confirms, and the general manager's
// office gets a notice when the 10th passes with a share unconfirmed. A user confirms for
// their own department only (the API refuses another).
import * as api from "./api.js";
import { addWords, t } from "./i18n.js";
import { badge, facts, field, form, h, input, reload, table, value, when } from "./ui.js";
import { lastMonth, panel } from "./reports.js";

addWords({
  confirmations: ["月度统计的部门确认", "The departments' confirmations"],
  compiled_at: ["汇总时间", "Compiled at"], confirm_by: ["确认期限", "Confirm by"],
  confirmed: ["已确认", "confirmed"], unconfirmed: ["未确认", "not confirmed"],
  confirm_share: ["确认本部门的责任数据", "Confirm my department's share"],
  gm_notice: ["已通知总经理办公室", "Notice to the general manager's office"],
  not_compiled: ["该月尚未汇总 (每月 1 日汇总上月)。", "Not compiled yet (each month is compiled on the 1st of the next)."],
  no_departments: ["该月没有需确认的责任部门。", "No department is responsible for a share this month."],
});

const COMPILED = "/reports/complaints/monthly/{month}";
const CONFIRM = "/reports/complaints/monthly/{month}/confirmations";

export const mayView = () => api.can("GET", COMPILED);

function confirmForm(month, department) {
  return form(t("confirm_share"), [h("p", {}, t(`dept.${department}`))], async () => {
    await api.post(`/reports/complaints/monthly/${encodeURIComponent(month)}/confirmations`, { department });
    reload();
  }, { button: t("confirm_share"), name: "confirm-share" });
}

async function load(f) {
  const month = value(f, "month");
  let report;
  try {
    report = await api.get(`/reports/complaints/monthly/${encodeURIComponent(month)}`);
  } catch (error) {
    if (error.status === 404) return h("p", { class: "muted", "data-testid": "not-compiled" }, t("not_compiled"));
    throw error;
  }
  const by = Object.fromEntries(report.confirmations.map((c) => [c.department, c]));
  const mine = (api.me().department || "").toLowerCase();
  const mayConfirm = api.can("POST", CONFIRM) && report.unconfirmed.includes(mine);
  return [
    facts([[t("month"), report.month], [t("compiled_at"), when(report.compiled_at)], [t("confirm_by"), when(report.confirm_by)],
      [t("gm_notice"), report.notice ? `${when(report.notice.issued_at)} (${report.notice.unconfirmed.map((d) => t(`dept.${d}`)).join("、")})` : "—"]]),
    report.departments.length === 0 ? h("p", { class: "muted" }, t("no_departments")) :
      table([[t("department"), (d) => t(`dept.${d}`)],
        [t("status"), (d) => (by[d] ? badge(t("confirmed"), "ok") : badge(t("unconfirmed"), "bad"))],
        [t("who"), (d) => (by[d] ? by[d].by : "—")], [t("when"), (d) => (by[d] ? when(by[d].at) : "—")]],
      report.departments, { caption: t("confirmations") }),
    mayConfirm ? confirmForm(report.month, mine) : null,
  ];
}

export async function section() {
  return [h("h2", { id: "confirmations" }, t("confirmations")),
    await panel("confirmations", t("confirmations"),
      [field("month", t("month"), input({ type: "month", value: lastMonth(), required: true }))], load,
      { id: "confirmations-report" })];
}
