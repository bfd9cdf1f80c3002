"""The finance service: reconciliation, vouchers, ledgers, credit checks; a skeleton so
far, with ``health`` only."""
