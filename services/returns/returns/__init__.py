"""The returns service: warehouse returns (authorizations, receipts, inspection,
replenishments); a skeleton so far, with ``health`` only."""
