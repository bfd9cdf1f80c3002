"""The complaints service: cases, investigation, plans, approvals, notices, statistics."""
