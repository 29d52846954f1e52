"""Who wins a purchased service project (项目化): named contracting rules.

Each year the district lists its service projects and social organisations (社会组织) bid for
them (政府购买服务, open competition). A bid carries the price asked, the organisation's
quality (the chance its service meets a resident's need) and its experience (projects
delivered). A contracting rule scores every bid; the awarding then goes through the bids from
the best score down, giving a project to a bidder while the project is still open and the
bidder can still take one more (its capacity). Rules are pure functions of the bids, tested
without an environment:

* ``price`` — lowest price wins (最低价中标).
* ``quality`` — the best quality wins.
* ``experience`` — the most projects delivered wins (favours incumbents of the sector).
* ``score`` — comprehensive scoring (综合评分法): a weighted sum of a price mark (the lowest
  bid for the project divided by this bid's price), the quality, and an experience mark
  (projects delivered over the experience given full marks, capped at 1).
* ``incumbent`` — last year's holder keeps the project if it bids again, otherwise the
  comprehensive score decides: contracts that only appear competitive (public report: studies
  of Shanghai's purchasing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bids:
    """The bids of one listing, one row per bid (投标).

    Attributes
    ----------
    project : ndarray of int
        Project bid for (index in the listing).
    org : ndarray of int
        Bidding organisation.
    price : ndarray of float
        Price asked, yuan.
    budget : ndarray of float
        The project's budget ceiling, yuan (the same for every bid on one project).
    quality : ndarray of float
        The bidder's quality in [0, 1].
    experience : ndarray of int
        Projects the bidder has delivered.
    incumbent : ndarray of bool
        Whether the bidder held this project last year.
    """

    project: np.ndarray
    org: np.ndarray
    price: np.ndarray
    budget: np.ndarray
    quality: np.ndarray
    experience: np.ndarray
    incumbent: np.ndarray

    @property
    def size(self) -> int:
        """Number of bids."""
        return len(self.project)

    @classmethod
    def of(
        cls,
        project: list[int],
        org: list[int],
        price: list[float],
        budget: list[float],
        quality: list[float],
        experience: list[int],
        incumbent: list[bool] | None = None,
    ) -> Bids:
        """Bids from plain lists (``incumbent`` all false by default)."""
        n = len(project)
        return cls(
            np.asarray(project, dtype=np.int64).reshape(n),
            np.asarray(org, dtype=np.int64).reshape(n),
            np.asarray(price, dtype=float).reshape(n),
            np.asarray(budget, dtype=float).reshape(n),
            np.asarray(quality, dtype=float).reshape(n),
            np.asarray(experience, dtype=np.int64).reshape(n),
            np.zeros(n, bool) if incumbent is None else np.asarray(incumbent, bool).reshape(n),
        )


@dataclass(frozen=True)
class Weights:
    """Weights of comprehensive scoring (综合评分法) and the experience given full marks."""

    price: float = 0.3
    quality: float = 0.5
    experience: float = 0.2
    experience_full: int = 5


Rule = Callable[[Bids, Weights], np.ndarray]


def price(bids: Bids, w: Weights) -> np.ndarray:
    """Lowest price wins: the score is minus the price as a share of the budget."""
    return -bids.price / bids.budget


def quality(bids: Bids, w: Weights) -> np.ndarray:
    """Best quality wins."""
    return bids.quality.astype(float)


def experience(bids: Bids, w: Weights) -> np.ndarray:
    """Most projects delivered wins."""
    return bids.experience.astype(float)


def score(bids: Bids, w: Weights) -> np.ndarray:
    """Comprehensive scoring: ``w.price * lowest price / price + w.quality * quality +
    w.experience * min(experience / w.experience_full, 1)``."""
    if bids.size == 0:
        return np.empty(0)
    lowest = np.full(int(bids.project.max()) + 1, np.inf)
    np.minimum.at(lowest, bids.project, bids.price)
    price_mark = lowest[bids.project] / bids.price
    exp_mark = np.minimum(bids.experience / max(w.experience_full, 1), 1.0)
    return w.price * price_mark + w.quality * bids.quality + w.experience * exp_mark


def incumbent(bids: Bids, w: Weights) -> np.ndarray:
    """Last year's holder keeps the project; among the rest, comprehensive scoring."""
    # every score mark is at most 1 per weight, so 1 + the weights puts holders above all
    lift = 1.0 + w.price + w.quality + w.experience
    return score(bids, w) + lift * bids.incumbent


RULES: dict[str, Rule] = {
    "price": price,
    "quality": quality,
    "experience": experience,
    "score": score,
    "incumbent": incumbent,
}


def choose_projects(
    eligible: list[int], bids_so_far: np.ndarray, k: int, u: np.ndarray
) -> list[int]:
    """Which projects an organisation bids for (投标): the `k` of its `eligible` projects with
    the fewest bids so far, equal counts ordered by its uniforms `u` (one per eligible
    project); all of them when there are no more than `k`. Organisations see who has
    registered for a tender and go where they stand a chance.

    Returns the chosen projects in the order of `eligible`.
    """
    if len(eligible) <= k:
        return list(eligible)
    counts = np.asarray(bids_so_far)[eligible]
    order = np.lexsort((np.asarray(u, float), counts))[:k]
    return [eligible[j] for j in sorted(order.tolist())]


def award(
    bids: Bids,
    scores: np.ndarray,
    projects: int,
    capacity: np.ndarray,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """Award projects to the best-scoring bids (定标).

    Bids are taken from the highest score down (equal scores by `tiebreak`, smaller first,
    then in bid order); a bid wins when its project is still open and its organisation holds
    fewer projects than its capacity.

    Parameters
    ----------
    bids : Bids
        The bids.
    scores : ndarray of float
        One score per bid (higher is better), from a rule in `RULES`.
    projects : int
        Number of projects listed.
    capacity : ndarray of int
        Projects each organisation can hold at once, indexed by organisation.
    tiebreak : ndarray of float, optional
        One number per bid ordering equal scores (a lottery); bid order by default.

    Returns
    -------
    ndarray of int
        The winning bid of each project, -1 for a project nobody won.
    """
    n = bids.size
    tie = np.zeros(n) if tiebreak is None else np.asarray(tiebreak, float)
    order = np.lexsort((np.arange(n), tie, -np.asarray(scores, float)))
    winner = np.full(projects, -1, np.int64)
    held: dict[int, int] = {}
    for b in order.tolist():
        p, o = int(bids.project[b]), int(bids.org[b])
        if winner[p] >= 0 or held.get(o, 0) >= capacity[o]:
            continue
        winner[p] = b
        held[o] = held.get(o, 0) + 1
    return winner
