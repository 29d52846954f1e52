"""Residents' satisfaction during a run: each matter that ends moves its resident's score.

The rule is `sim.rules.satisfaction`; this keeps the scores as a plain list while the clock
runs (the router updates one resident at a time, and two-way evaluation reads them at each
year's end) and writes them back to the population when the run ends.
"""

from __future__ import annotations

from sim.model.population import Population
from sim.rules.satisfaction import matter_score, moved
from sim.scenario.schema import Scenario


class Satisfaction:
    """Every resident's current satisfaction.

    Parameters
    ----------
    population : Population
        The residents (their starting scores; the final ones are written back).
    s : Scenario
        The scenario (its ``[satisfaction]`` section).

    Attributes
    ----------
    values : list of float
        Current score of each resident.
    """

    def __init__(self, population: Population, s: Scenario) -> None:
        self.population = population
        self.values: list[float] = population.satisfaction.tolist()
        spec = s.satisfaction
        self.rate, self.target_days, self.trip_penalty = (
            spec.learning_rate,
            spec.target_days,
            spec.trip_penalty,
        )

    def matter_ended(
        self, resident: int, arrival: float, finish: float, trips: int, resolved: bool
    ) -> None:
        """A matter of `resident` ended at `finish`: resolved (scored by how long it took and
        the trips it cost) or abandoned (scored 0)."""
        score = (
            matter_score(arrival, finish, trips, self.target_days, self.trip_penalty)
            if resolved
            else 0.0
        )
        v = self.values
        v[resident] = moved(v[resident], score, self.rate)

    def write_back(self) -> None:
        """End of the run: the population keeps the final scores."""
        self.population.satisfaction[:] = self.values
