"""Monitoring: typed records per demand and reducers into tidy tables."""
