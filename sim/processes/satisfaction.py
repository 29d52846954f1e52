"""Residents' satisfaction during a run: each matter that ends moves its resident's score.

The scores live in the population's own array, read and written one resident at a time
through a ``memoryview`` of it while the clock runs, so a city of millions costs no Python
object per resident: the router moves a resident's score by the rule of
`sim.rules.satisfaction` (`after_matter`) with the parameters kept here when a matter ends,
and two-way evaluation and consultation read the scores as they stand.
"""

from __future__ import annotations

from sim.model.population import Population
from sim.scenario.schema import Scenario


class Satisfaction:
    """Every resident's current satisfaction.

    Parameters
    ----------
    population : Population
        The residents (their scores are read and moved in place).
    s : Scenario
        The scenario (its ``[satisfaction]`` section).

    Attributes
    ----------
    values : memoryview of float
        Current score of each resident (the population's ``satisfaction`` array).
    rate, target_days, trip_penalty : float
        The rule's learning rate, days at which a matter's score falls to 1/e, and score
        lost per trip beyond the first (the scenario's ``[satisfaction]``).
    """

    def __init__(self, population: Population, s: Scenario) -> None:
        self.population = population
        self.values = memoryview(population.satisfaction)
        spec = s.satisfaction
        self.rate, self.target_days, self.trip_penalty = (
            spec.learning_rate,
            spec.target_days,
            spec.trip_penalty,
        )
