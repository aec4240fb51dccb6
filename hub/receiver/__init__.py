"""The webhook receiver: an ASGI app that verifies, stores and answers."""
