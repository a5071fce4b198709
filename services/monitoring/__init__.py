"""Monitoring: monitoring plans, KPI returns, ratings and escalation of awarded services."""
