"""The applications HTTP API, one router per resource."""
