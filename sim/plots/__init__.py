"""Figures drawn from result tables only (they never import the model)."""
