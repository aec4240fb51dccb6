"""Outbound actions: what the hub writes to a marketplace (acknowledge, ship, set inventory)."""
