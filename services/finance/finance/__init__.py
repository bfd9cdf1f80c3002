"""The finance service: reconciliation, vouchers, ledgers, credit checks (F1-F7)."""
