"""Registers every ``DomainError`` class with nameko's exception registry, so that an
RPC caller (a service or the gateway) receives the same class, not ``RemoteError``.
Import it wherever RPC answers are read or sent."""

from nameko.exceptions import deserialize_to_instance

from servicekit.errors import on_error_class

on_error_class(deserialize_to_instance)
