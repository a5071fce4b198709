"""Applications: organisations, schemes and rounds, applications and their decisions."""
