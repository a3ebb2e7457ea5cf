"""The audit trail: one record per state change, written in the change's transaction."""
