"""Residents (居民) as a population stored column-wise, not one object or process each.

Each resident has a community, a grid (网格), an occupation group, an age band, an online
propensity, an education level, party membership and a satisfaction score. Columns are numpy
arrays drawn once per replication from the population stream, so two scenarios with the same
structure and seed have the same people. Education and party membership come from a
sub-stream of their own, and occupations within age bands from the same uniforms as
independent occupations, so scenarios that do not describe them draw the same residents as
before they existed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.model.streams import substream
from sim.scenario.schema import Scenario

TRAITS = zlib.crc32(b"education and party")  # sub-stream of the residents' civic traits


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
    education : ndarray of int
        Education level code per resident; names in `educations`, lowest first.
    party : ndarray of bool
        Whether each resident is a party member.
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
    education: np.ndarray | None = None
    party: np.ndarray | None = None
    educations: tuple[str, ...] = ("all",)

    def __post_init__(self) -> None:
        if self.education is None:
            self.education = np.zeros(self.size, np.int8)
        if self.party is None:
            self.party = np.zeros(self.size, bool)

    @property
    def size(self) -> int:
        """Number of residents."""
        return len(self.community)


def build_population(s: Scenario, rng: np.random.Generator) -> Population:
    """Draw the residents of scenario `s`."""
    n_comm, per = s.structure.communities, s.structure.residents_per_community
    n = n_comm * per
    spec = s.population
    occupations, occ_p = _table(spec.occupation)
    ages, age_p = _table(spec.age)
    community = np.repeat(np.arange(n_comm, dtype=np.int32), per)
    grid = rng.integers(0, s.structure.grids_per_community, n).astype(np.int16)
    u_occupation = rng.random(n)  # what rng.choice(..., p=occ_p) would draw
    age = rng.choice(len(ages), size=n, p=age_p).astype(np.int8)
    if spec.occupation_by_age:
        cdf = np.array(
            [[spec.occupation_by_age[a].get(o, 0.0) for o in occupations] for a in ages]
        ).cumsum(axis=1)
        cdf /= cdf[:, -1:]
        occupation = _pick_by_row(cdf, age, u_occupation)
    else:
        occupation = _pick(occ_p, u_occupation)
    occupation = np.minimum(occupation, len(occupations) - 1).astype(np.int8)
    factors = np.array([spec.online_factor.get(a, 1.0) for a in ages])
    avail = np.array([spec.availability.get(o, 0.5) for o in occupations])
    educations = spec.education_levels()
    traits = substream(rng, TRAITS).random((2, n))
    if spec.education_by_age:
        cdf = np.array([list(spec.education_by_age[a].values()) for a in ages]).cumsum(axis=1)
        cdf /= cdf[:, -1:]
        education = _pick_by_row(cdf, age, traits[0])
        education = np.minimum(education, len(educations) - 1).astype(np.int8)
    else:
        education = np.zeros(n, np.int8)
    return Population(
        community=community,
        grid=grid,
        occupation=occupation,
        age=age,
        online_factor=factors[age],
        availability=avail[occupation],
        satisfaction=np.full(n, spec.initial_satisfaction),
        occupations=occupations,
        ages=ages,
        per_community=per,
        education=education,
        party=traits[1] < spec.party_share,
        educations=tuple(educations),
    )


def _pick(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Categories drawn with probabilities `p` from uniforms `u`, exactly as
    ``Generator.choice(len(p), p=p)`` turns its uniforms into choices."""
    cdf = p.cumsum()
    cdf /= cdf[-1]
    return cdf.searchsorted(u, side="right")


def _pick_by_row(cdf: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Categories drawn from uniforms `u`, each with the cumulative shares of its own row of
    `cdf` (e.g. occupations within the resident's age band).

    Done a block of residents at a time, so that a city of millions needs a few bytes a
    resident beside the result, not a row of shares each.
    """
    out = np.empty(len(u), np.int8)
    for lo in range(0, len(u), _BLOCK):
        hi = lo + _BLOCK
        out[lo:hi] = (u[lo:hi, None] >= cdf[row[lo:hi]]).sum(axis=1)
    return out


_BLOCK = 1 << 18  # residents per block of `_pick_by_row`


def _table(shares: dict[str, float]) -> tuple[list[str], np.ndarray]:
    names = list(shares)
    p = np.array([shares[k] for k in names], dtype=float)
    return names, p / p.sum()
