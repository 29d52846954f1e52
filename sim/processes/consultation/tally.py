"""What consultation counts while the run goes, and the tally it hands the record sink.

Per period (the run after warm-up, and each year of the run): residents asked, those who
took part and by which channel, occupation and education, why the others did not come
(disappointment, no interest, no time), outcomes published and carried out. Beside them:
meetings held and days taken per level, days from a matter arising to its result, matters
raised, escalated and guided, temporary organisations formed and the staff hours they saved,
officials' hours, the share of residents disappointed at each year's end.
`ConsultationTally` is the plain-data copy that `sim.metrics.consultation` reduces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.clock import YEAR
from sim.rules.participation import DISAPPOINTED, REASONS
from sim.scenario.sections.consultation import LEVEL_NAMES


@dataclass
class Counts:
    """Counts of one period (the run after warm-up, or one year)."""

    invited: int = 0
    attended: int = 0
    refused: int = 0
    outcomes: int = 0
    implemented: int = 0
    by_occupation: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    by_channel: np.ndarray = field(default_factory=lambda: np.zeros(4, np.int64))
    by_education: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    declined: np.ndarray = field(default_factory=lambda: np.zeros(len(REASONS), np.int64))
    officials: int = 0


@dataclass(frozen=True)
class ConsultationTally:
    """Everything consultation counted in one replication (plain data).

    Attributes
    ----------
    total : Counts
        After the warm-up.
    years : dict of int to Counts
        Per year of the run (warm-up included).
    year_end_disappointed : dict of int to float
        Share of residents refusing out of disappointment at each year's end the clock
        reached.
    held : dict of str to int
        Meetings held per level after the warm-up.
    level_days : dict of str to list of float
        Days each level's six steps took, for matters starting there after the warm-up.
    matter_days : list of float
        Days from a matter arising to its result, after the warm-up.
    raised, escalated, orgs_formed : int
        Matters raised, deliberations escalated, temporary organisations formed after the
        warm-up.
    saved_minutes : float
        Staff minutes temporary organisations saved after the warm-up.
    times_participated : ndarray of int
        Consultations each resident took part in.
    recover_at : ndarray of float
        Minute until which each resident refuses out of disappointment.
    occupations : tuple of str
        Occupation groups, in the population's order.
    horizon : float
        Minute the run ended.
    educations : tuple of str
        Education levels, lowest first.
    official_hours : float
        Hours officials (legal aid, departments, the property company, deputies) spent in
        meetings after the warm-up.
    guided : int
        Grid deliberations without consensus guided by legal-aid staff after the warm-up.
    official_occupation : int
        Occupation code officials count as in the participants' mix (-1: none).
    official_education : tuple of float
        Officials' shares by education level (empty: not counted by education).
    """

    total: Counts
    years: dict[int, Counts]
    year_end_disappointed: dict[int, float]
    held: dict[str, int]
    level_days: dict[str, list[float]]
    matter_days: list[float]
    raised: int
    escalated: int
    orgs_formed: int
    saved_minutes: float
    times_participated: np.ndarray
    recover_at: np.ndarray
    occupations: tuple[str, ...]
    horizon: float
    educations: tuple[str, ...] = ("all",)
    official_hours: float = 0.0
    guided: int = 0
    official_occupation: int = -1
    official_education: tuple[float, ...] = ()


class Tracker:
    """The running counts of one replication's consultation.

    Parameters
    ----------
    occupations : list of str
        The population's occupation groups.
    residents : int
        Number of residents.
    warm : float
        Minute the warm-up ends (counts in `total` start there).
    educations : sequence of str
        The population's education levels.
    """

    def __init__(
        self,
        occupations: list[str],
        residents: int,
        warm: float,
        educations: Sequence[str] = ("all",),
    ) -> None:
        n_occ, n_edu = len(occupations), len(educations)
        self.occupations = tuple(occupations)
        self.educations = tuple(educations)
        self.warm = warm

        def counts() -> Counts:
            return Counts(
                by_occupation=np.zeros(n_occ, np.int64), by_education=np.zeros(n_edu, np.int64)
            )

        self.total = counts()
        self.years: dict[int, Counts] = defaultdict(counts)
        self.official_hours = 0.0
        self.guided = 0
        self.year_end_disappointed: dict[int, float] = {}
        self.held: dict[str, int] = dict.fromkeys(LEVEL_NAMES, 0)
        self.level_days: dict[str, list[float]] = {k: [] for k in LEVEL_NAMES}
        self.matter_days: list[float] = []
        self.raised = 0
        self.escalated = 0
        self.orgs_formed = 0
        self.saved_minutes = 0.0
        self.times_participated = np.zeros(residents, np.int64)

    def _periods(self, now: float) -> list[Counts]:
        periods = [self.years[int(now // YEAR)]]
        if now >= self.warm:
            periods.append(self.total)
        return periods

    def asked(
        self,
        now: float,
        invited: int,
        attended: int,
        declined: np.ndarray,
        occupation: np.ndarray,
        channel: np.ndarray,
        education: np.ndarray,
    ) -> None:
        """Residents were asked to a meeting or a temporary organisation at `now`;
        `declined` counts those who did not come by reason."""
        for t in self._periods(now):
            t.invited += invited
            t.attended += attended
            t.refused += int(declined[DISAPPOINTED])
            t.declined += declined
            t.by_occupation += occupation
            t.by_channel += channel
            t.by_education += education

    def seated(self, now: float, officials: int, hours: float) -> None:
        """`officials` sat through a meeting of `hours` at `now`."""
        for t in self._periods(now):
            t.officials += officials
        if now >= self.warm:
            self.official_hours += officials * hours

    def published(self, now: float, implemented: bool) -> None:
        """An outcome was published at `now`, carried out or not."""
        for t in self._periods(now):
            t.outcomes += 1
            t.implemented += implemented

    def frozen(
        self,
        recover_at: np.ndarray,
        horizon: float,
        official_occupation: int = -1,
        official_education: tuple[float, ...] = (),
    ) -> ConsultationTally:
        """The tally as plain data, with the residents' disappointment at the end and how
        officials count in the participants' mix."""
        return ConsultationTally(
            total=self.total,
            years=dict(self.years),
            year_end_disappointed=dict(self.year_end_disappointed),
            held=dict(self.held),
            level_days={k: list(v) for k, v in self.level_days.items()},
            matter_days=list(self.matter_days),
            raised=self.raised,
            escalated=self.escalated,
            orgs_formed=self.orgs_formed,
            saved_minutes=self.saved_minutes,
            times_participated=self.times_participated.copy(),
            recover_at=recover_at.copy(),
            occupations=self.occupations,
            horizon=horizon,
            educations=self.educations,
            official_hours=self.official_hours,
            guided=self.guided,
            official_occupation=official_occupation,
            official_education=official_education,
        )
