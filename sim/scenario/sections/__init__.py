"""Scenario sections of the governance mechanisms, one module each."""
