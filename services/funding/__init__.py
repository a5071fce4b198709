"""Funding: funds, pots, pooled budgets, awards and payments: the money (DESIGN.md §2)."""
