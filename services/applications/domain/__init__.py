"""The applications domain: pure decisions, no I/O, no clock (callers pass `now` and `today`)."""
