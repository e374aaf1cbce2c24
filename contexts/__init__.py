"""Bundled JSON-LD contexts (data only). `index.json` maps each URL to its file."""
