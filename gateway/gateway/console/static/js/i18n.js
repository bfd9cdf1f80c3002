// Chinese labels with an English toggle: one small dictionary, key -> [中文, English].
// A key without an entry shows as itself (an enum value the API added later, say).
const WORDS = {
  title: ["售后服务控制台", "After-sales console"],
  loading: ["加载中…", "Loading…"],
  signin: ["登录", "Sign in"], signout: ["退出", "Sign out"], username: ["用户名", "Username"],
  password: ["密码", "Password"], whoami: ["我是谁", "Who I am"], roles: ["角色", "Roles"],
  department: ["部门", "Department"], expires: ["登录有效至", "Signed in until"],
  may: ["我可以调用的接口", "Operations I may call"], main_menu: ["主菜单", "Main menu"],
  nav_queue: ["投诉队列", "Complaints"], nav_new: ["登记投诉", "Register"],
  nav_approvals: ["我的审批", "My approvals"], nav_returns: ["退货收货", "Returns"],
  nav_finance: ["财务", "Finance"], nav_customers: ["客户卡", "Customers"],
  nav_reports: ["报表", "Reports"], nav_me: ["我是谁", "Who I am"],
  filter: ["筛选", "Filter"], status: ["状态", "Status"], customer: ["客户", "Customer"],
  customer_id: ["客户编号", "Customer id"], overdue: ["已超期", "Overdue"], any: ["全部", "Any"],
  number: ["编号", "Number"], step: ["当前环节", "Step"], step_due: ["环节期限", "Step due"],
  due: ["承诺期限", "Promised by"], reminded: ["催办", "Reminders"], none: ["无", "none"],
  total: ["共", "Total"], prev: ["上一页", "Previous"], next: ["下一页", "Next"], page: ["页", "Page"],
  yes: ["是", "yes"], no: ["否", "no"], open: ["打开", "Open"], save: ["提交", "Submit"],
  registration: ["登记信息", "Registration"], channel: ["投诉渠道", "Channel"],
  order_no: ["订单号", "Order no."], ship_date: ["发货日期", "Ship date"],
  description: ["问题描述", "Description"], request: ["客户诉求", "Request"], lines: ["明细", "Lines"],
  sku: ["物料号", "SKU"], quantity: ["数量", "Quantity"], unit_price: ["单价", "Unit price"],
  amount: ["金额", "Amount"], add_line: ["添加一行", "Add line"], line_desc: ["品名", "Item"],
  owner: ["负责人", "Owner"], registered: ["登记", "Registered"],
  investigation: ["调查", "Investigation"], findings: ["调查结果", "Findings"], cause: ["原因", "Cause"],
  cause_category: ["原因类别", "Cause category"], improvement: ["改进措施", "Improvement"],
  responsibility: ["责任划分", "Responsibility"], person: ["责任人", "Person"], share: ["比例", "Share"],
  plans: ["处理方案", "Plans"], round: ["轮次", "Round"], required_approver: ["需审批人", "Required approver"],
  actions: ["处理措施", "Actions"], type: ["类型", "Type"], state: ["状态", "State"],
  history: ["历史", "History"], notices: ["通知", "Notices"], steps: ["环节时限", "Steps"],
  started: ["开始", "Started"], done_at: ["完成", "Done"], who: ["人员", "Who"], when: ["时间", "When"],
  what: ["事项", "What"], follow_ups: ["回访", "Follow-ups"], next_step: ["下一步", "Next step"],
  accept: ["受理", "Accept"], promised_days: ["承诺天数", "Promised days"], reject: ["不予受理", "Reject"],
  reason: ["理由", "Reason"], post_plan: ["提交方案", "Post plan"], add_action: ["添加措施", "Add action"],
  approve: ["批准", "Approve"], send_back: ["退回", "Send back"],
  customer_response: ["客户答复", "Customer response"], accepted: ["客户接受", "Customer accepts"],
  comment: ["备注", "Comment"], follow_up: ["回访", "Follow-up"], satisfied: ["满意", "Satisfied"],
  score: ["评分 (1-5)", "Score (1-5)"], notes: ["回访记录", "Notes"], add_person: ["添加责任方", "Add party"],
  nothing_for_me: ["此状态下我没有可做的操作。", "Nothing for my roles in this state."],
  done: ["已完成", "Done"], approvals_plans: ["待我审批的方案", "Plans waiting for my rank"],
  returns: ["退货单", "Returns"], return: ["退货单", "Return"], complaint: ["投诉", "Complaint"],
  authorized_quantity: ["批准数量", "Authorized"], received_quantity: ["已收数量", "Received"],
  receipts: ["已扫描收货", "Receipts so far"], scan: ["扫描", "Scan"], scan_sku: ["扫描条码 (物料号)", "Scan barcode (SKU)"],
  scan_hint: ["扫描枪扫码后回车跳到数量；数量处回车即提交收货。", "Scan, Enter moves to quantity, Enter posts the receipt."],
  scanner: ["扫描枪", "Scanner"], lot: ["批号", "Lot"], sign_off: ["签收", "Sign off"],
  differences: ["差异", "Differences"], posted: ["已提交", "Posted"], scan_id: ["扫描号", "Scan id"],
  inspection: ["质量检验", "Inspection"], witness: ["见证人 (业务)", "Witness (sales)"],
  good: ["良品", "Good"], rework: ["返工", "Rework"], scrap: ["报废", "Scrap"],
  reconciliations: ["对账", "Reconciliations"], vouchers: ["传票", "Vouchers"], ledger: ["应收账", "Ledger"],
  resolve: ["处理", "Resolve"], accepted_quantity: ["认可数量", "Accepted quantity"],
  approved_quantity: ["批准数量", "Approved"], actual_quantity: ["实收数量", "Actual"],
  proof: ["凭证", "Proof"], method: ["方式", "Method"], reference: ["凭证号", "Reference"],
  balance: ["余额", "Balance"], kind: ["类别", "Kind"], date: ["日期", "Date"], show: ["查询", "Show"],
  customers: ["客户", "Customers"], search: ["搜索", "Search"], name: ["名称", "Name"],
  grade: ["等级", "Grade"], risk: ["风险", "Risk"], warnings: ["预警", "Warnings"],
  interactions: ["往来记录", "Interactions"], contacts: ["联系人", "Contacts"], region: ["区域", "Region"],
  card: ["客户卡", "Customer card"], phone: ["电话", "Phone"], email: ["邮箱", "Email"],
  reports: ["报表", "Reports"], monthly: ["客户投诉案件统计表 (月)", "Monthly complaint statistics"],
  month: ["月份", "Month"], closed: ["结案数", "Closed"], by_cause: ["按原因", "By cause"],
  by_department: ["按部门", "By department"], by_product: ["按产品", "By product"],
  by_customer: ["按客户", "By customer"], problem_ratio: ["问题比例", "Problem ratio"],
  avg_handling_hours: ["平均处理时长 (小时)", "Average handling hours"],
  timely_acceptance_rate: ["及时受理率", "Timely acceptance rate"],
  on_time_closure_rate: ["按时结案率", "On-time closure rate"], improvements: ["改进事项", "Improvements"],
  kpis: ["部门考核指标", "KPIs"], period: ["期间 (YYYY-MM / YYYY-Qn / YYYY)", "Period (YYYY-MM / YYYY-Qn / YYYY)"],
  composition: ["销售构成", "Sales composition"], year: ["年份", "Year"], count: ["数量", "Count"],
  value: ["数值", "Value"], chart: ["图示", "Chart"], not_allowed: ["您的角色不能查看此页。", "Your roles may not see this page."],
  saved: ["已保存", "Saved"], error: ["错误", "Error"], signed_in_as: ["当前用户", "Signed in as"],
  not_found: ["没有这个页面。", "No such page."], empty: ["没有记录。", "Nothing here."],
  print_form: ["打印表单 (PDF)", "Print form (PDF)"], lang_switch: ["English", "中文"],
  // reports' charts and the KPI page (reports.js, kpis.js, charts.js)
  nav_kpis: ["部门考核", "KPIs"], cases: ["案件数", "Cases"],
  download_xlsx: ["下载 Excel (.xlsx)", "Download Excel (.xlsx)"],
  monthly_facts: ["本月概况", "The month at a glance"], cause_unknown: ["未填原因", "cause not given"],
  total_sales: ["销售总额", "Total sales"], invoices: ["发票数", "Invoices"], customer_count: ["客户数", "Customers"],
  by_grade: ["按客户等级", "By grade"], by_region: ["按区域", "By region"], sales_share: ["占销售额比例", "Share of sales"],
  ungraded: ["未评级", "not graded"], no_sku: ["无产品明细", "no product lines"], no_region: ["未填区域", "no region"],
  kpi_summary: ["本期指标", "This period"], period_short: ["期间", "Period"], indicator: ["指标", "Indicator"],
  department_handling_hours: ["各部门处理时效 (结案案件平均小时)", "Handling time by department (average hours, closed cases)"],
  by_owner: ["按负责人 (业务员)", "By owner (sales person)"], trends: ["趋势", "Trends"],
  trends_hint: ["所选期间及其之前各期，每期单独统计。", "The chosen period and those before it, each counted by itself."],
  trend_complaints: ["投诉处理", "Complaint handling"], trend_customers: ["客户", "Customers"],
  trend_complaint_rate: ["客户投诉率 (案件数 / 客户数)", "Complaint rate (cases / customers)"],
  null_hint: ["“—”：本期间没有可统计的数据。", "“—”: nothing to count in the period."],
  "kpi.file_completeness_rate": ["客户档案完整率", "Customer file completeness"],
  "kpi.timely_acceptance_rate": ["客户投诉受理及时率", "Timely acceptance"],
  "kpi.follow_up_rate": ["客户回访率", "Follow-up rate"], "kpi.follow_ups": ["客户回访次数", "Follow-ups"],
  "kpi.resolution_rate": ["客户投诉解决率", "Resolution rate"], "kpi.complaint_rate": ["客户投诉率", "Complaint rate"],
  "kpi.satisfaction.average": ["客户满意度 (平均分, 1-5)", "Satisfaction (average score, 1-5)"],
  "kpi.satisfaction.satisfied_share": ["满意客户比例", "Share satisfied"],
  "kpi.enquiry_reply_on_time_rate": ["客户咨询回复及时率", "Enquiries answered on time"],
  "owner.unassigned": ["未分配", "unassigned"],
  "dept.customer_service": ["客户服务部", "customer service"], "dept.quality": ["质量管理部", "quality"],
  "dept.production": ["生产部", "production"], "dept.warehouse": ["成品仓库", "warehouse"],
  "dept.finance": ["财务部", "finance"], "dept.management": ["总经理办公室", "general manager's office"],
  "dept.sales": ["业务部", "sales"], "dept.logistics": ["物流部", "logistics"], "dept.rd": ["研发部", "R&D"],
  // my approvals: customer change requests waiting for my side (approvals.js, rule C4)
  approvals_changes: ["待我方审批的客户条款变更申请", "Change requests waiting for my side"],
  requested_changes: ["变更内容 (原 → 新)", "Changes (old → new)"], requested_by: ["申请人", "Requested by"],
  decisions_so_far: ["已有审批意见", "Decisions so far"], no_decisions: ["尚无", "none yet"],
  decision: ["审批意见", "Decision"], decide: ["审批", "Decide"],
  "decision.approve": ["同意", "approve"], "decision.reject": ["驳回", "reject"],
  "term.discount": ["折扣", "Discount"], "term.settlement_terms": ["结算方式", "Settlement terms"],
  "term.credit_limit": ["信用额度", "Credit limit"], "term.over_acceptance_ratio": ["超收比例", "Over-acceptance ratio"],
  "settlement.cash_on_delivery": ["货到付款", "cash on delivery"], "settlement.net_15": ["15 天账期", "net 15"],
  "settlement.net_30": ["30 天账期", "net 30"], "settlement.net_60": ["60 天账期", "net 60"],
  "settlement.net_90": ["90 天账期", "net 90"], "settlement.monthly_statement": ["月结", "monthly statement"],
  // enum values
  "status.registered": ["已登记", "registered"], "status.accepted": ["已受理", "accepted"],
  "status.rejected": ["不予受理", "rejected"], "status.investigated": ["已调查", "investigated"],
  "status.planning": ["方案中", "planning"], "status.executing": ["执行中", "executing"],
  "status.resolved": ["已解决", "resolved"], "status.closed": ["已结案", "closed"],
  "status.pending_approval": ["待审批", "pending approval"], "status.approved": ["已批准", "approved"],
  "status.declined": ["已退回", "declined"], "status.authorized": ["已授权", "authorized"],
  "status.receiving": ["收货中", "receiving"], "status.received": ["已签收", "received"],
  "status.inspected": ["已检验", "inspected"], "status.matched": ["相符", "matched"],
  "status.exception": ["异常", "exception"], "status.issued": ["已开具", "issued"],
  "status.posted": ["已入账", "posted"], "status.active": ["有效", "active"], "status.lead": ["线索", "lead"],
  "status.open": ["未处理", "open"], "status.handled": ["已处理", "handled"],
  "state.proposed": ["拟定", "proposed"], "state.in_progress": ["进行中", "in progress"],
  "state.done": ["完成", "done"], "state.dropped": ["取消", "dropped"],
  "role.cs_agent": ["客服专员", "CS agent"], "role.cs_manager": ["客服经理", "CS manager"],
  "role.quality": ["品管", "Quality"], "role.warehouse": ["仓库", "Warehouse"], "role.finance": ["财务", "Finance"],
  "role.vp": ["副总", "VP"], "role.gm": ["总经理", "GM"], "role.admin": ["管理员", "Admin"],
  "role.sales_clerk": ["业务员", "Sales clerk"], "role.sales_manager": ["业务经理", "Sales manager"],
  "role.market_manager": ["市场经理", "Market manager"],
  "channel.phone": ["电话", "phone"], "channel.on_site": ["现场", "on site"], "channel.email": ["邮件", "email"],
  "channel.hotline": ["热线", "hotline"], "channel.pickup_point": ["自提点", "pick-up point"], "channel.letter": ["信函", "letter"],
  "type.return": ["退货", "return"], "type.exchange": ["换货", "exchange"], "type.allowance": ["折让", "allowance"],
  "type.compensation": ["赔偿", "compensation"], "type.replenishment": ["补货", "replenishment"],
  "type.rework": ["返工", "rework"], "type.other": ["其他", "other"], "type.return_credit": ["退货冲红", "return credit"],
  "cause.sales": ["销售原因", "sales"], "cause.non_sales": ["非销售原因", "non-sales"],
  "step.acceptance": ["受理", "acceptance"], "step.investigation": ["调查", "investigation"],
  "step.planning": ["方案", "planning"], "step.approval": ["审批", "approval"], "step.response": ["客户答复", "response"],
  "step.execution": ["执行", "execution"], "step.follow_up": ["回访", "follow-up"], "step.closure": ["结案", "closure"],
  "method.original_invoice": ["原发票", "original invoice"], "method.invoice_copy": ["发票复印件", "invoice copy"],
  "method.return_certificate": ["退货证明", "return certificate"], "method.allowance_certificate": ["折让证明单", "allowance certificate"],
};

const KEY = "aftersales.console.lang";
let lang = localStorage.getItem(KEY) === "en" ? "en" : "zh";

export function language() { return lang; }

export function setLanguage(value) {
  lang = value === "en" ? "en" : "zh";
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
}

export function t(key) {
  const entry = WORDS[key];
  return entry ? entry[lang === "en" ? 1 : 0] : key;
}

/** An enum value in words: tv("status", "closed") -> 已结案; unknown values as they are. */
export function tv(group, value) {
  if (value === null || value === undefined || value === "") return "—";
  const entry = WORDS[`${group}.${value}`];
  return entry ? entry[lang === "en" ? 1 : 0] : String(value);
}

/** A page module's own words, kept beside the page: addWords({key: [中文, English]}). */
export function addWords(more) { Object.assign(WORDS, more); }
