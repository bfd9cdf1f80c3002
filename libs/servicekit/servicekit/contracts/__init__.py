"""Each service's published API: error classes, event names and payload schemas.

Callers (the gateway, other services) and consumers import these, so the class a
service raises is the class its caller catches, and an event's producer and
consumer share one schema.
"""
