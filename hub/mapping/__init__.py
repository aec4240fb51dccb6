"""The YAML mapping language: from a marketplace payload to internal events."""
