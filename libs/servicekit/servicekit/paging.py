"""One page of a list query (CONTRACT "Lists"): ``{"items", "total", "page", "per_page"}``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def page_of(
    session: Session, query: Select, page: int, per_page: int, *order_by: Any, rows: bool = False
) -> dict[str, Any]:
    """Page ``page`` (from 1) of ``query`` in the order ``order_by`` (end it with the id so
    that the order is total and pages neither repeat nor skip). ``items`` are the mapped
    objects, or with ``rows=True`` (a query of table columns) plain dicts."""
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    window = query.order_by(*order_by).offset((page - 1) * per_page).limit(per_page)
    if rows:
        items = [dict(r) for r in session.execute(window).mappings()]
    else:
        items = list(session.scalars(window))
    return {"items": items, "total": total, "page": page, "per_page": per_page}
