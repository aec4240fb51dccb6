"""The PostgreSQL adapter of the store port: its engine and row locks, NOTIFY and LISTEN, its SQL."""
