"""Handlers: one module per thing a person can ask for. Each takes an App and returns a Reply."""
