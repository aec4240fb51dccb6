"""The web shop's checkout as a saga: authorize payment -> reserve inventory -> create the order, with
compensations. Two variants share the steps (steps.py): orchestrated (orchestrator.py) and choreographed
(choreography.py); HUB_CHECKOUT chooses one per deployment."""
