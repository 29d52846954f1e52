"""The books of top-down work (台账 of assignments) that two-way evaluation reads.

Per year and department: the new tasks assigned to communities (pushed down, whether or not
the access gate let them through) and how many came with funds (费随事转); and each
department's current factor on its unfunded tasks, which evaluation sets after rating it.
The burden mechanism keeps the books; evaluation reads them and writes the factors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Ledger:
    """Tasks assigned and funded by year and department, and the departments' push factors.

    Attributes
    ----------
    departments : list of str
        Department names, in scenario order.
    assigned, funded : ndarray of int
        Counts by (year, department).
    push_factor : ndarray of float
        Each department's factor on the chance it pushes an unfunded task (1 to start).
    """

    departments: list[str]
    assigned: np.ndarray  # years x departments
    funded: np.ndarray  # years x departments
    push_factor: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.push_factor = np.ones(len(self.departments))
