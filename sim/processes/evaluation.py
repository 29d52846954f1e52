"""Two-way evaluation (004): communities and departments rate each other."""
