"""Billing-eligibility checker: scenario extraction, rule engine and guard (pure; no model)."""
