"""`hub sandbox`: emulations of the marketplaces' APIs on loopback, in their real shapes, for tests and
demos. Marketplace-specific code lives here and only here; each emulation's facts (credentials, rate
limits, which settings point at it) are data in connectors/<name>/sandbox.yaml."""
