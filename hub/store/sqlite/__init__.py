"""The SQLite adapter of the store port: its engines and locking, its time format, its SQL."""
