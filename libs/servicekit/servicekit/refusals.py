"""A refused request is not an error of the service.

nameko logs every exception a worker raises, at ERROR with a traceback. A refusal
(a DomainError below 500, a malformed or duplicate message) is the service doing
its job: it is logged once at INFO by ``RequestContext`` with its code and request
id, and nameko's line for it is dropped here. Anything else keeps its traceback.
"""

from __future__ import annotations

import logging

from marshmallow import ValidationError

from servicekit.db import AlreadyHandled
from servicekit.errors import DomainError
from servicekit.messages import MalformedMessage


def is_refusal(error: BaseException | None) -> bool:
    if isinstance(error, DomainError):
        return error.http_status < 500
    return isinstance(error, MalformedMessage | ValidationError | AlreadyHandled)


class RefusalFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        return not (exc_info and is_refusal(exc_info[1]))


def install() -> None:
    """Idempotent: the filter sits once on nameko's container logger."""
    logger = logging.getLogger("nameko.containers")
    if not any(isinstance(f, RefusalFilter) for f in logger.filters):
        logger.addFilter(RefusalFilter())
