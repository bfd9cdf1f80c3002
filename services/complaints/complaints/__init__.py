"""The complaints service: cases, investigation, plans and approvals (rules P1-P12)."""
