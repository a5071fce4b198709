"""The four services of the joint commissioning platform, one package each (DESIGN.md §2)."""
