"""Connectors: one marketplace declared as data in connectors/<name>/connector.yaml."""
