"""The social-organisation market (项目化): projects bought by open competition."""

from __future__ import annotations

from sim.scenario.section import Section


class MarketSpec(Section):
    """The social-organisation market (项目化): projects bought by open competition."""
