"""Residents (居民) as a population stored column-wise, not one object or process each.

Each resident has a community, a grid (网格), an occupation group, an age band, an online
propensity and a satisfaction score. Columns are numpy arrays drawn once per replication from
the population stream, so two scenarios with the same structure and seed have the same people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import Scenario


@dataclass
class Population:
    """The residents of a district.

    Attributes
    ----------
    community, grid, occupation, age : ndarray of int
        Codes per resident; names in `occupations` and `ages`.
    online_factor : ndarray of float
        Relative propensity to use the online platform (digital divide by age).
    availability : ndarray of float
        Chance of being free during office hours (by occupation), for daytime activities.
    satisfaction : ndarray of float
        Current satisfaction in [0, 1].
    """

    community: np.ndarray
    grid: np.ndarray
    occupation: np.ndarray
    age: np.ndarray
    online_factor: np.ndarray
    availability: np.ndarray
    satisfaction: np.ndarray
    occupations: list[str]
    ages: list[str]
    per_community: int

    @property
    def size(self) -> int:
        """Number of residents."""
        return len(self.community)


def build_population(s: Scenario, rng: np.random.Generator) -> Population:
    """Draw the residents of scenario `s`."""
    n_comm, per = s.structure.communities, s.structure.residents_per_community
    n = n_comm * per
    occupations, occ_p = _table(s.population.occupation)
    ages, age_p = _table(s.population.age)
    community = np.repeat(np.arange(n_comm, dtype=np.int32), per)
    grid = rng.integers(0, s.structure.grids_per_community, n).astype(np.int16)
    occupation = rng.choice(len(occupations), size=n, p=occ_p).astype(np.int8)
    age = rng.choice(len(ages), size=n, p=age_p).astype(np.int8)
    factors = np.array([s.population.online_factor.get(a, 1.0) for a in ages])
    avail = np.array([s.population.availability.get(o, 0.5) for o in occupations])
    return Population(
        community=community,
        grid=grid,
        occupation=occupation,
        age=age,
        online_factor=factors[age],
        availability=avail[occupation],
        satisfaction=np.full(n, s.population.initial_satisfaction),
        occupations=occupations,
        ages=ages,
        per_community=per,
    )


def _table(shares: dict[str, float]) -> tuple[list[str], np.ndarray]:
    names = list(shares)
    p = np.array([shares[k] for k in names], dtype=float)
    return names, p / p.sum()
