"""Pull streams: page through a marketplace operation since a cursor, into the intake."""
