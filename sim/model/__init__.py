"""The entities of a district: calendar, residents, service units and their stations."""
