"""Operator commands behind `commissioning` (shared.cli): each module one command's work."""
