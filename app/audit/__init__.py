"""The audit trail: every change of state, hash-chained."""
