"""The finance service: return reconciliation, vouchers and proofs, receivables ledgers,
credit checks, collection rates and the loss ledger (rule F1 to rule F7, rule P12)."""
