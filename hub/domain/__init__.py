"""The commerce domain: rules only, no I/O. Services load state, call these, and save."""
