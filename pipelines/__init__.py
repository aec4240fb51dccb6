"""The hub's Dagster code location: definitions generated from the connectors, thin shims over `hub`."""
