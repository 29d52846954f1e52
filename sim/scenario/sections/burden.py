"""Burden after a cut: tasks added back (反弹), the access gate (准入), funds follow
tasks (费随事转)."""

from __future__ import annotations

from sim.scenario.section import Section


class BurdenSpec(Section):
    """Burden after a cut: tasks added back (反弹), the access gate (准入), funds follow"""
