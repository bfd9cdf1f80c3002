"""Blueprints of the public API under ``/api/v1``, one per area."""
