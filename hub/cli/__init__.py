"""The `hub` command line: each verb parses its options and calls a service."""
