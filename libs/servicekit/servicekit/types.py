"""Column types that keep the suite's conventions on every database.

Times are timezone-aware UTC in Python whatever the backend stores (SQLite keeps
naive text); money is Decimal with two places (SQLite stores NUMERIC as REAL,
exact for the 15 significant digits money needs here); values written once with their
row are a JSON list (``JsonValues``).
"""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator):
    impl = Numeric(18, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            # Store the exact text; SQLite's REAL would round large amounts.
            from sqlalchemy import String

            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(18, 2))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(str(value)).quantize(Decimal("0.01"))
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


class Ratio(Money):
    """A decimal ratio such as a discount (0.85) or a share (0.25); four places."""

    impl = Numeric(9, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            from sqlalchemy import String

            return dialect.type_descriptor(String(16))
        return dialect.type_descriptor(Numeric(9, 4))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(str(value)).quantize(Decimal("0.0001"))
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.0001"))


class JsonValues(TypeDecorator):
    """Frozen values written once with their row (a receipt's lines, a plan's actions) as a
    JSON list: ``to_json`` makes one value a JSON object, ``from_json`` makes it again;
    read back as a tuple when ``as_tuple``, else as a list.

    ``Column("lines", JsonValues(ShipmentLine.payload, lambda data: ShipmentLine(**data)))``
    """

    impl = JSON
    cache_ok = True  # the cache key is the two functions and as_tuple

    def __init__(
        self,
        to_json: Callable[[Any], dict],
        from_json: Callable[[dict], Any],
        as_tuple: bool = False,
    ) -> None:
        super().__init__()
        self.to_json = to_json
        self.from_json = from_json
        self.as_tuple = as_tuple

    def process_bind_param(self, value, dialect):
        return None if value is None else [self.to_json(item) for item in value]

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        items = (self.from_json(data) for data in value)
        return tuple(items) if self.as_tuple else list(items)
