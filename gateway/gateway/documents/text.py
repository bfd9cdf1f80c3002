"""How values read on paper: dates in Chinese (2026年11月27日) on the business's clock,
money with thousands separators and in capital numerals (人民币大写), ratios as percents,
and the contract's codes as the departments name them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# The forms are read in China: times (UTC in the services) are shown on China Standard
# Time, as the complaints service counts its months (COMPLAINTS_BUSINESS_UTC_OFFSET_HOURS).
BUSINESS_TZ = timezone(timedelta(hours=8), "CST")
CENT = Decimal("0.01")
BLANK = ""  # a field the form leaves to be filled in by hand

CHANNELS = {
    "phone": "电话",
    "on_site": "现场",
    "email": "电子邮件",
    "hotline": "热线",
    "pickup_point": "自提点",
    "letter": "信函",
}
REQUESTS = {
    "return": "客户要求退货",
    "exchange": "客户要求换货",
    "allowance": "折让",
    "compensation": "赔款",
    "replenishment": "质量补货",
    "other": "其他",
}
ACTIONS = {
    "return": "退货",
    "exchange": "换货",
    "allowance": "折让",
    "compensation": "赔款",
    "replenishment": "质量补货",
    "rework": "重处理",
}
ACTION_STATES = {"proposed": "拟定", "in_progress": "执行中", "done": "已完成", "dropped": "已撤销"}
COMPLAINT_STATUSES = {
    "registered": "已登记",
    "accepted": "已受理",
    "rejected": "不予受理",
    "investigated": "已调查",
    "planning": "拟定方案",
    "executing": "执行中",
    "resolved": "已处理",
    "closed": "已结案",
}
PLAN_STATUSES = {
    "pending_approval": "待核决",
    "approved": "已核决",
    "accepted": "客户接受",
    "declined": "客户不接受",
}
APPROVERS = {"cs_manager": "客服部经理", "vp": "副总经理", "gm": "总经理"}  # rule P6
CAUSE_CATEGORIES = {"sales": "销售原因", "non_sales": "非销售原因"}
DEPARTMENTS = {
    "customer_service": "客户服务部",
    "quality": "质量管理部",
    "production": "生产部",
    "warehouse": "成品仓库",
    "finance": "财务部",
    "management": "总经理办公室",
    "sales": "业务部",
    "logistics": "物流部",
    "rd": "研发部",
    "r&d": "研发部",
}
RETURN_STATUSES = {
    "authorized": "已开立",
    "receiving": "收料中",
    "received": "已签收",
    "inspected": "已品质确认",
}
REQUEST_CLASSES = {  # seed 002, 销售退货处理
    "exchange": "换货处理",
    "short_not_replenished": "少货不补处理",
    "quality_not_replenished": "质量问题不补处理",
    "no_reason": "无理由退货处理",
}
VOUCHER_STATUSES = {"issued": "已开立", "posted": "已入账"}
PROOF_METHODS = {  # rule F2
    "original_invoice": "收回原开立统一发票（买受人盖章）",
    "invoice_copy": "原发票影印本（买受人盖章）",
    "return_certificate": "销货退回证明单",
    "allowance_certificate": "销货折让证明单（买受人盖章签回）",
}
SIGNATORIES = {"manager": "经理", "general_manager": "总经理", "customer": "客户签章"}

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def label(names: dict[str, str], code: Any) -> str:
    """The Chinese name of a contract code; an unknown code as it is."""
    if code is None:
        return BLANK
    return names.get(str(code), str(code))


def local_time(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BUSINESS_TZ)


def chinese_date(value: str | date | datetime | None) -> str:
    """``2026-11-27`` or an ISO time -> ``2026年11月27日`` (a time on the business's clock)."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, datetime) or (isinstance(value, str) and "T" in value):
        day: date = local_time(value).date()  # type: ignore[union-attr]
    else:
        day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(value: str | datetime | None) -> str:
    """An ISO time -> ``2026年11月27日 16:05`` on the business's clock."""
    moment = local_time(value)
    if moment is None:
        return BLANK
    return f"{chinese_date(moment)} {moment:%H:%M}"


def money(value: str | Decimal | None) -> str:
    """``"1800"`` -> ``1,800.00``."""
    if value is None or value == "":
        return BLANK
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def percent(value: str | Decimal | None) -> str:
    """``"0.35"`` -> ``35.00%``; nothing counted -> ``—``."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.2f}%"


def _four_digits(number: int) -> str:
    """0 < number < 10000 in capital numerals, zeros between digits read once."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def amount_in_words(value: str | Decimal) -> str:
    """An amount in capital numerals as on a Chinese voucher: ``"1800.50"`` ->
    ``人民币壹仟捌佰元伍角整``, ``"300"`` -> ``人民币叁佰元整``, ``"0.05"`` -> ``人民币伍分``."""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    integer, pending_zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(integer)
            continue
        if integer and (pending_zero or group < 1000):
            integer += "零"
        integer += _four_digits(group) + _GROUP_UNITS[index]
        pending_zero = False
    words = f"{integer}元" if integer else ""
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif fen and integer:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    else:
        words += "整"
    if not integer and not jiao and not fen:
        words = "零元整"
    return f"人民币{sign}{words}"


def quantity(value: Any) -> str:
    return BLANK if value is None else str(value)
