"""Intake: from an accepted payload to inbox, quarantine or outbox rows, in one transaction."""
