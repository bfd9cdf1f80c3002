"""The once-guard of every service's ``start_mappers`` (imperative mapping keeps the
domain classes free of SQLAlchemy; a class may be mapped only once per process)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable


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
