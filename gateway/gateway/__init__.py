"""The suite's HTTP gateway: ``create_app()`` in :mod:`gateway.app`.

A view loads the request, checks the role, makes one RPC call and dumps the
result; no business rule lives here.
"""
