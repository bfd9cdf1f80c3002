"""The first start creates user ``admin``: its password is the configured one, or a
random one printed once to stderr and written to ``<data dir>/admin-password``
(mode 0600). Never a built-in default. Several workers may start at once: the
unique username lets one insert win; the others carry on."""

from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path

from gateway.auth import passwords
from gateway.auth.store import IdentityStore
from gateway.errors import UsernameTaken
from gateway.secret_files import write_private

log = logging.getLogger(__name__)

ADMIN = "admin"
PASSWORD_FILE = "admin-password"


def ensure_admin(store: IdentityStore, data_dir: Path, configured_password: str | None) -> bool:
    """Create ``admin`` when missing; True when this call created it."""
    if store.find_user(ADMIN) is not None:
        return False
    if configured_password is not None and len(configured_password) < passwords.MIN_LENGTH:
        raise ValueError(
            f"AFTERSALES_ADMIN_PASSWORD must have at least {passwords.MIN_LENGTH} characters"
        )
    password = configured_password or secrets.token_urlsafe(18)
    try:
        store.add_user(ADMIN, passwords.hash_password(password), [ADMIN], None, created_by=None)
    except UsernameTaken:
        return False  # another worker created it first
    if configured_password is None:
        path = Path(data_dir) / PASSWORD_FILE
        write_private(path, password)
        print(
            f"Created user 'admin' with password {password} (also in {path})",
            file=sys.stderr,
            flush=True,
        )
    log.info("created user admin")
    return True
