"""servicekit: the parts every after-sales service shares.

Nothing in here knows about any one service's models; each service's public
API (its error classes, event names and payload schemas) lives in
``servicekit.contracts.<service>`` so callers and consumers import the same
classes the service raises and publishes.
"""
