"""Publication: the transparency feed, 360Giving and OCDS files built from public events."""
