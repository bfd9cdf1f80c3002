"""Bulk import of existing customers (issue 11.8; rule C1, rule C3; CONTRACT "Customers").

HTTP (the gateway reads the file) -> RPC (service name ``customer``):

- ``POST /customers/imports?dry_run=true|false`` (sales_clerk, sales_manager; multipart
  ``file``: .xlsx or .csv, a header row of the columns below, in English or as the
  template's Chinese headers) -> ``ImportResultSchema``. ``dry_run`` defaults to true: a
  file is looked at before anything is created. The gateway checks every row with
  ``CreateCustomerSchema`` and sends the rows without problems in batches of at most
  ``MAX_BATCH_ROWS`` to
- ``import_customers(rows, dry_run, actor)`` -> ``ImportBatchResultSchema``: rows are
  ``[{"row": 7, "card": {...CreateCustomerSchema fields...}}]``. The service checks them
  again, reports a row whose tax number is already on a card (or earlier in the batch)
  as a duplicate instead of creating it, and creates the others, one transaction per
  batch, as ``pending_approval`` (rule C3: imported cards wait for approval like any
  other), each with an ``imported`` history entry. A dry run creates nothing and answers
  what it would create.
- ``GET /customers/imports/template`` (= ``template.xlsx``) and
  ``GET /customers/imports/template.csv``: the header row, one example row; the .xlsx has a
  notes sheet with the allowed values.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first card row 2.
A row without a tax number is matched by its exact name instead (a company's registered
name; ``by: "name"``), so a second run of the same file creates nothing twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from servicekit.contracts.customer import CreateCustomerSchema
from servicekit.contracts.customer_vocabulary import (
    NATURES,
    PAYMENT_METHODS,
    ROLES_IN_DECISION,
    SETTLEMENT_TERMS,
)

IMPORT_CUSTOMERS = "import_customers"
# Rows per RPC call, one transaction each; the service refuses a larger batch.
MAX_BATCH_ROWS = 500
FIRST_ROW = 2  # the header is row 1

# (column, header in the template, what it takes). A column is a CreateCustomerSchema
# field, or contact_<field> for the card's first contact (contacts[0]).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "客户名称", "required; at most 200 characters"),
    ("nature", "客户性质", "required: " + " | ".join(NATURES) + " (经销商 | 代理商 | 终端用户)"),
    ("region", "区域", "text"),
    ("industry", "行业", "text"),
    ("address", "地址", "text"),
    ("license_no", "营业执照号", "text"),
    ("tax_no", "税务登记号", "text; a number already on a card is reported, not imported"),
    ("payment_method", "付款方式", " | ".join(PAYMENT_METHODS) + " (default bank_transfer)"),
    (
        "settlement_terms",
        "结算方式",
        " | ".join(SETTLEMENT_TERMS) + " (default cash_on_delivery)",
    ),
    ("discount", "折扣率", "0 to 1, not below the company floor (default 1.00)"),
    ("credit_limit", "授信额度", "amount >= 0 (default 0.00)"),
    ("over_acceptance_ratio", "超量允收比率", "0 to 1; empty: the company default"),
    ("owner", "业务员", "a username; empty: whoever imports"),
    ("pickup", "自提客户", "true | false (是 | 否); default false"),
    ("legal_representative", "法定代表人", "text"),
    ("business_scope", "经营范围", "text"),
    ("purchase_needs", "采购需求", "text"),
    ("purchase_frequency", "采购频率", "text"),
    (
        "contact_name",
        "联系人",
        "the first contact's name (required when any contact column is set)",
    ),
    ("contact_position", "联系人职务", "text"),
    ("contact_phone", "联系电话", "text"),
    ("contact_email", "电子邮箱", "an e-mail address"),
    ("contact_role_in_decision", "决策角色", " | ".join(ROLES_IN_DECISION) + " (default other)"),
)
COLUMN_NAMES = tuple(c[0] for c in COLUMNS)
HEADERS = {header: column for column, header, _ in COLUMNS}
CONTACT_PREFIX = "contact_"

EXAMPLE_ROW = {
    "name": "华东机电有限公司",
    "nature": "distributor",
    "region": "华东",
    "industry": "机械制造",
    "address": "上海市浦东新区张江路 88 号",
    "license_no": "91310000MA1FL0000X",
    "tax_no": "91310000MA1FL0000X",
    "payment_method": "bank_transfer",
    "settlement_terms": "net_30",
    "discount": "0.85",
    "credit_limit": "200000.00",
    "over_acceptance_ratio": "0.05",
    "owner": "li.sales",
    "pickup": "false",
    "legal_representative": "张伟",
    "business_scope": "机电设备批发",
    "purchase_needs": "减速机、电机",
    "purchase_frequency": "每月",
    "contact_name": "王经理",
    "contact_position": "采购经理",
    "contact_phone": "13800000000",
    "contact_email": "wang@example.cn",
    "contact_role_in_decision": "decision_maker",
}

# The natures as DOMAIN names them in Chinese (rule C2), and yes/no words for ``pickup``.
NATURE_LABELS = {"经销商": "distributor", "代理商": "agent", "终端用户": "end_user"}
_TRUE = {"true", "yes", "y", "1", "是", "对"}
_FALSE = {"false", "no", "n", "0", "否", "不是"}

# Problem codes (besides the service's own error codes, such as discount_below_floor).
REQUIRED = "required"
NOT_ALLOWED = "not_allowed"
OUT_OF_RANGE = "out_of_range"
TOO_LONG = "too_long"
INVALID = "invalid"
DUPLICATE_IN_FILE = "duplicate_in_file"
ALREADY_EXISTS = "already_exists"


def column_of(header: Any) -> str | None:
    """The column a header names: a column name (any case) or the template's Chinese
    header; None for a header the import does not know (the column is ignored)."""
    if header is None:
        return None
    text = unicodedata.normalize("NFKC", str(header)).strip()
    if text in HEADERS:
        return HEADERS[text]
    text = text.lower().replace(" ", "_")
    return text if text in COLUMN_NAMES else None


def card_of(values: Mapping[str, str]) -> dict[str, Any]:
    """A row's cells (column -> text, empty cells left out) as a CreateCustomerSchema
    payload: the contact columns as ``contacts[0]``, Chinese natures and yes/no words
    as the contract's values. Anything else is left for the schema to judge."""
    card: dict[str, Any] = {}
    contact: dict[str, Any] = {}
    for column, value in values.items():
        if column.startswith(CONTACT_PREFIX):
            contact[column[len(CONTACT_PREFIX) :]] = value
        elif column == "nature":
            card[column] = NATURE_LABELS.get(value, value)
        elif column == "pickup":
            word = value.strip().lower()
            card[column] = True if word in _TRUE else False if word in _FALSE else value
        else:
            card[column] = value
    if contact:
        card["contacts"] = [contact]
    return card


def field_column(field: str) -> str:
    """The column a problem's contract field came from (``contacts.0.phone`` ->
    ``contact_phone``)."""
    if field.startswith("contacts.0."):
        return CONTACT_PREFIX + field.removeprefix("contacts.0.")
    return field


def code_of(message: str) -> str:
    """A short code for one of marshmallow's messages."""
    if message.startswith("Missing data for required field"):
        return REQUIRED
    if message.startswith("Must be one of"):
        return NOT_ALLOWED
    if message.startswith(("Must be greater", "Must be less", "Must be between")):
        return OUT_OF_RANGE
    if message.startswith(("Longer than", "Length must be", "Shorter than")):
        return TOO_LONG
    return INVALID


def problems_of(row: int, messages: Any, prefix: str = "") -> list[dict[str, Any]]:
    """marshmallow's error messages of one row as problems in the contract's field
    terms (``contacts.0.phone``), each with a code and the message."""
    if isinstance(messages, Mapping):
        found = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found += problems_of(row, value, name)
        return found
    if isinstance(messages, list | tuple):
        found = []
        for message in messages:
            found += problems_of(row, message, prefix)
        return found
    message = str(messages)
    return [
        {"row": row, "field": prefix or "_schema", "code": code_of(message), "message": message}
    ]


def check_row(row: int, card: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The problems ``CreateCustomerSchema`` finds in a row's card (none: it may be sent)."""
    return problems_of(row, CreateCustomerSchema().validate(dict(card)))


_SEPARATORS = re.compile(r"[\s\-_./]")


def tax_no_key(value: Any) -> str | None:
    """A tax number as one, however typed: full-width folded, upper case, without
    spaces, hyphens, dots or slashes (as ``GET /customers?tax_no=`` finds it)."""
    if value is None:
        return None
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    return text or None


def name_key(value: Any) -> str | None:
    """A name as the import compares it for a row without a tax number: trimmed, inner
    runs of spaces as one, full-width folded."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    return text or None


# --- schemas ---------------------------------------------------------------------------
class ImportArgsSchema(Schema):
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "true (the default): report what would be created, create"
                  " nothing; false: create the cards"},
    )  # fmt: skip


class ImportFileSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": ".xlsx or .csv"},
    )


class ImportRowSchema(Schema):
    row = fields.Integer(required=True, validate=validate.Range(min=1))
    card = fields.Dict(required=True)


class ImportBatchSchema(Schema):
    rows = fields.List(
        fields.Nested(ImportRowSchema),
        required=True,
        validate=validate.Length(max=MAX_BATCH_ROWS),
    )
    dry_run = fields.Boolean(required=True)


class ImportProblemSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "as the spreadsheet numbers it"})
    field = fields.String(required=True, metadata={"description": "the contract's field"})
    column = fields.String(metadata={"description": "the column it came from"})
    code = fields.String(required=True)
    message = fields.String(required=True)


class ImportDuplicateSchema(Schema):
    row = fields.Integer(required=True)
    by = fields.String(required=True, validate=validate.OneOf(("tax_no", "name")))
    tax_no = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    existing_customer_id = fields.String(
        allow_none=True, metadata={"description": "the card that has it; null: an earlier row"}
    )
    first_row = fields.Integer(
        allow_none=True, metadata={"description": "the earlier row of the file that has it"}
    )


class ImportCardSchema(Schema):
    row = fields.Integer(required=True)
    name = fields.String(required=True)
    customer_id = fields.String(
        allow_none=True, metadata={"description": "the new card; null in a dry run"}
    )


class ImportBatchResultSchema(Schema):
    """What ``import_customers`` answers for one batch."""

    cards = fields.List(fields.Nested(ImportCardSchema), required=True)
    problems = fields.List(fields.Nested(ImportProblemSchema), required=True)
    duplicates = fields.List(fields.Nested(ImportDuplicateSchema), required=True)


class ImportResultSchema(Schema):
    """``POST /customers/imports``: the whole file."""

    dry_run = fields.Boolean(required=True)
    rows = fields.Integer(required=True, metadata={"description": "card rows in the file"})
    created = fields.Integer(required=True, metadata={"description": "0 in a dry run"})
    would_create = fields.Integer(
        required=True, metadata={"description": "rows without problem or duplicate"}
    )
    skipped = fields.Integer(required=True, metadata={"description": "rows not (to be) created"})
    problems = fields.List(fields.Nested(ImportProblemSchema), required=True)
    duplicates = fields.List(fields.Nested(ImportDuplicateSchema), required=True)
    cards = fields.List(
        fields.Nested(ImportCardSchema),
        required=True,
        metadata={"description": "per row, what is (or would be) created"},
    )
    ignored_columns = fields.List(fields.String(), required=True)
