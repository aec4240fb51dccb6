"""What the domain refuses. Intake quarantines the one delivery whose update broke a rule, with the reason."""

from __future__ import annotations


class DomainRefused(ValueError):
    """A rule of the domain refused an update: the delivery that carried it is quarantined whole, with
    this message as the reason, and no other delivery is affected."""


class IllegalTransition(DomainRefused):
    """An order update that its state machine does not allow (a shipped line cancelled, a delivered order
    paid again with a newer timestamp)."""
