"""Mappers from other services' events to candidate entries, by producing service. Pure."""
