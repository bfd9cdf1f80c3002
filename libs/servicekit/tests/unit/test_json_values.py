"""``JsonValues``: frozen values as a JSON list, read back as they were written."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from servicekit.types import JsonValues


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int


def _line(data: dict) -> Line:
    return Line(**data)


def _roundtrip(column_type, value):
    metadata = MetaData()
    table = Table(
        "t", metadata, Column("id", String(8), primary_key=True), Column("v", column_type)
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table).values(id="1", v=value))
        return connection.execute(select(table.c.v)).scalar_one()


def test_values_come_back_as_a_list_by_default():
    lines = [Line("A", 1), Line("B", 2)]
    assert _roundtrip(JsonValues(asdict, _line), lines) == lines


def test_values_come_back_as_a_tuple_when_asked():
    lines = (Line("A", 1),)
    read = _roundtrip(JsonValues(asdict, _line, as_tuple=True), lines)
    assert read == lines and isinstance(read, tuple)


def test_none_stays_none():
    assert _roundtrip(JsonValues(asdict, _line), None) is None


def test_the_functions_shape_the_json():
    column_type = JsonValues(lambda d: {"amount": str(d)}, lambda data: Decimal(data["amount"]))
    assert column_type.process_bind_param([Decimal("1.10")], None) == [{"amount": "1.10"}]
    assert column_type.process_result_value([{"amount": "1.10"}], None) == [Decimal("1.10")]


def test_two_types_with_other_functions_have_other_cache_keys():
    one = JsonValues(asdict, _line)
    assert one._static_cache_key == JsonValues(asdict, _line)._static_cache_key
    assert one._static_cache_key != JsonValues(asdict, _line, as_tuple=True)._static_cache_key
    assert one._static_cache_key != JsonValues(vars, _line)._static_cache_key
