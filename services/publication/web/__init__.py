"""The public portal: a server-rendered page with a small live-update script."""
