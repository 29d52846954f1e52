"""Burden after a cut: tasks pushed back (反弹), the access gate (准入), funds follow tasks."""
