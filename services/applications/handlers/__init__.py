"""Commands against the applications store: load, decide (domain), update views, append."""
