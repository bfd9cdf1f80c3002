"""Secrets the gateway generates itself (the JWT secret, the first admin password), kept
in files only their owner can read: ``servicekit.secret_files``, shared with the
services that generate keys of their own (the customer service's data keys, rule C11)."""

from servicekit.secret_files import read_or_create, write_private

__all__ = ["read_or_create", "write_private"]
