"""The returns service: authorizations, receipts, inspection, replenishments (R1-R6)."""
