"""SimPy processes: demand arrival and routing, top-down tasks, office hours."""
