"""The commerce services: what the CLI, the receiver and Dagster call for orders, inventory, channel sync
and checkout. Each loads state through a unit of work, asks the domain (hub/domain, no I/O), and saves."""
