"""Emulations of outside services on loopback, for tests and demos."""
