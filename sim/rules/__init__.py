"""Named decision rules a scenario selects by name."""
