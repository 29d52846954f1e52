"""What happens to a new task a department wants to push down to a community.

Three decisions, in this order, each a pure function of the task's own pre-drawn uniform
numbers, so a task meets the same fate in every scenario that makes the same decision:

1. funds follow tasks (费随事转, 004): does the department send the task's funds with it?
2. the department's restraint after a poor rating (two-way evaluation, 004): does it still
   push an unfunded task? (see `sim.rules.evaluation`)
3. the access gate (准入, 004): does the reform group let the task through? With item
   lists (Xiangfang, 002) a task on the lists passes; an unfunded task turned away may
   become an entrustment contract (委托协议, 004), paid for by the department.

An accepted funded task costs the community staff only the hours the funds do not buy.
Between the first and the second, the department decides whether to try at all, by its habit
of pushing to the community and the community's capacity and channel (`sim.rules.push`).
"""

from __future__ import annotations


def is_funded(u: float, funded_share: float) -> bool:
    """Whether a new task comes with its funds (费随事转).

    Parameters
    ----------
    u : float
        The task's uniform draw for funding, in [0, 1).
    funded_share : float
        Chance that a department sends funds with a task (0 without the policy).
    """
    return u < funded_share


def is_pushed(u: float, funded: bool, push_factor: float) -> bool:
    """Whether the department still pushes the task down after its ratings.

    A funded task is always pushed; an unfunded one with chance `push_factor` (1 without
    evaluation, lower after poor ratings).

    Parameters
    ----------
    u : float
        The task's uniform draw for the department's restraint, in [0, 1).
    funded : bool
        Whether the task comes with its funds.
    push_factor : float
        The department's current factor on its unfunded tasks, in [0, 1].
    """
    return funded or u < push_factor


def listed_share(listed_items: int | None, items_before: int | None) -> float | None:
    """Share of departments' would-be tasks that fall on the community's item lists
    (Xiangfang, 002: 25 self-governance and 70 assist-government items): the listed items
    over the items communities carried before the lists (None without lists)."""
    if listed_items is None or items_before is None:
        return None
    return min(listed_items / items_before, 1.0) if items_before > 0 else 1.0


ACCEPTED, REJECTED, ENTRUSTED = "accepted", "rejected", "entrusted"


def gate_decision(
    u: float,
    funded: bool,
    reject_unfunded: float,
    reject_funded: float,
    listed: float | None = None,
    entrustment: float = 0.0,
) -> str:
    """What the access gate (准入) makes of a new task: `ACCEPTED`, `REJECTED`, or `ENTRUSTED`.

    With item lists (`listed_share`), a task on the lists passes (the task's uniform below
    the listed share); the rest of the uniform's range decides the others as without lists:
    turned away with chance `reject_funded` or `reject_unfunded`. An unfunded task turned
    away becomes an entrustment contract (委托协议, 004) with chance `entrustment`: the
    department pays for the work and the task passes. One uniform decides all three, each
    step on the part of its range left by the one before.

    Parameters
    ----------
    u : float
        The task's uniform draw for the gate, in [0, 1).
    funded : bool
        Whether the task comes with its funds.
    reject_unfunded, reject_funded : float
        Chances that the reform group refuses a task (off the lists) without and with its
        funds.
    listed : float or None
        Share of tasks on the community's item lists (None: no lists).
    entrustment : float
        Chance that a department whose unfunded task was turned away signs an entrustment
        contract for it.
    """
    if listed is not None:
        if u < listed:
            return ACCEPTED
        u = (u - listed) / (1.0 - listed)
    reject = reject_funded if funded else reject_unfunded
    if u >= reject:
        return ACCEPTED
    if not funded and entrustment > 0.0 and u / reject < entrustment:
        return ENTRUSTED
    return REJECTED


def staff_minutes(minutes: float, funded: bool, bought_share: float) -> float:
    """Minutes of community staff work an accepted task costs (the rest is bought).

    Parameters
    ----------
    minutes : float
        The task's workload.
    funded : bool
        Whether the task comes with its funds.
    bought_share : float
        Share of a funded task's hours the funds buy from outside the community staff.
    """
    return minutes * (1.0 - bought_share) if funded else minutes
