"""The once-guard of every service's ``start_mappers`` (imperative mapping keeps the
domain classes free of SQLAlchemy; a class may be mapped only once per process), and
the relationship of an aggregate to the rows it owns."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import relationship


def once(start_mappers: Callable[[], None]) -> Callable[[], None]:
    """``@once def start_mappers(): ...`` maps on the first call; later calls do nothing."""
    lock = threading.Lock()
    done = False

    @functools.wraps(start_mappers)
    def start() -> None:
        nonlocal done
        with lock:
            if not done:
                start_mappers()
                done = True

    return start


def children(cls: type, order: Any):
    """The rows of ``cls`` an aggregate owns, in ``order`` (the order they were written),
    saved and deleted with it; loaded with the aggregate, which is read whole after its
    session closes."""
    return relationship(cls, order_by=order, cascade="all, delete-orphan", lazy="selectin")
