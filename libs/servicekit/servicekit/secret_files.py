"""Secrets a process generates itself, kept in files only their owner can read: the
gateway's JWT secret, the customer service's data and index keys (rule C11).

Several processes (gunicorn workers, service instances) may start at once; the first
to create a file wins and the others read what it wrote (the file appears complete or
not at all: written to a private temporary file, then hard-linked into place).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, text: str, *, replace: bool = True) -> bool:
    """Write ``text`` to ``path`` with mode 0600; False when ``replace`` is off and it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_or_create(path: Path, nbytes: int = 48, make: Callable[[], str] | None = None) -> str:
    """The secret stored at ``path``, generated when there is none: ``make()``, or
    ``nbytes`` random bytes, url-safe."""
    if not path.exists():
        value = make() if make is not None else secrets.token_urlsafe(nbytes)
        write_private(path, value, replace=False)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise RuntimeError(f"{path} is empty; delete it to have a new secret generated")
    return value
