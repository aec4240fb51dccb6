"""Calling marketplace APIs as connector.yaml's `api` declares: auth, signing, rate budgets, retries."""
