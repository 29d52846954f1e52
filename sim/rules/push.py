"""Where departments push their work: capacity, channel and habit (行政化反弹, 001).

A district's functional departments (职能部门) always have work they would rather have someone
else do. Whether a would-be task is pushed down to a community depends on what the department
sees there and on its habits, not on a calendar:

* perceived capacity: the community's staff per resident relative to a reference community
  (more hands, more work sent their way);
* the channel: the community's administrative status (whether it holds administrative items
  and the station that handles them, as a street office did);
* the department's habit of pushing to that community: it grows with every task the
  community accepts and shrinks with every task the access gate (准入, 004) turns away
  (Bush–Mosteller reinforcement), so the gate deters attempts through what departments learn.

The draw (capacity times channel) multiplies the odds of the habit (`push_chance`). Because
the more a department pushes the faster its habit grows, pushing after a cut first creeps,
then speeds up, then levels off when nearly every would-be task goes down.

001 names the danger: if departments do not change how they work and still manage communities
the way they managed street offices, they "only turn the community back into a street office"
(只会把社区变回街道); and unless departments change, the burden rebounds (反弹) after a cut.
Here both follow from the rule.

Every rule is a pure function of numbers; the uniform numbers of a would-be task are drawn up
front, so a task meets the same dice in every scenario.
"""

from __future__ import annotations

import math


def attraction(
    staff: float, reference_staff: float, scale: float, elasticity: float, channel: float
) -> float:
    """How strongly a community draws departments' work: perceived capacity times channel.

    ``channel * (staff / (reference_staff * scale)) ** elasticity``: 1 for a community staffed
    like the reference (per resident) with the reference's administrative status.

    Parameters
    ----------
    staff : float
        Community staff who carry tasks (``math.inf`` for an unlimited unit).
    reference_staff : float
        Staff of the reference community (of the residents the task figures are for).
    scale : float
        The community's residents over the reference community's (1 when figures are per
        community).
    elasticity : float
        How strongly departments respond to staff per resident (0: not at all; 1: in
        proportion).
    channel : float
        The community's administrative status as a factor (1 for the reference; more for a
        community that holds administrative items itself).
    """
    if math.isinf(staff):
        return math.inf
    return channel * (staff / (reference_staff * scale)) ** elasticity


def push_chance(habit: float, draw: float) -> float:
    """Chance that a department tries to push a would-be task to a community.

    The community's draw multiplies the odds of the department's habit:
    ``p / (1 - p) = draw * habit / (1 - habit)``. A department with no habit of pushing to
    the community never tries, one with a full habit always does; at the reference draw (1)
    the chance is the habit itself, a community that draws more work gets more of it.

    Parameters
    ----------
    habit : float
        The department's habit of pushing to this community, in [0, 1].
    draw : float
        The community's attraction (`attraction`), at least 0.
    """
    if habit <= 0.0 or draw <= 0.0:
        return 0.0
    if habit >= 1.0 or math.isinf(draw):
        return 1.0
    odds = draw * habit / (1.0 - habit)
    return odds / (1.0 + odds)


def tries(u: float, habit: float, draw: float) -> bool:
    """Whether the department tries to push the task (its uniform below `push_chance`).

    Parameters
    ----------
    u : float
        The task's uniform draw for the department's attempt, in [0, 1).
    habit, draw : float
        As in `push_chance`.
    """
    return u < push_chance(habit, draw)


def reinforce(habit: float, accepted: bool, rate: float) -> float:
    """The department's habit after one attempt (Bush–Mosteller learning).

    ``habit + rate * (1 - habit)`` after a task the community accepted,
    ``habit - rate * habit`` after one the access gate turned away: the habit moves a share
    `rate` of the way towards what happened.

    Parameters
    ----------
    habit : float
        The habit before the attempt, in [0, 1].
    accepted : bool
        Whether the task reached the community.
    rate : float
        Learning rate per attempt, in [0, 1] (`learning_step`).
    """
    return habit + rate * ((1.0 if accepted else 0.0) - habit)


def learning_step(learning_per_year: float, would_be_per_year: float) -> float:
    """The learning rate of one attempt: ``min(1, learning_per_year / would_be_per_year)``.

    A department judges its channel to a community by the share of its work there that got
    through, not by the count of tasks: a year of pushing every would-be task moves the habit
    about ``learning_per_year`` of the way (for small rates), whatever the community's size.

    Parameters
    ----------
    learning_per_year : float
        How far a year of attempts moves the habit, at least 0.
    would_be_per_year : float
        Would-be tasks the department has for the community a year (0: it never learns).
    """
    if would_be_per_year <= 0.0:
        return 0.0
    return min(1.0, learning_per_year / would_be_per_year)
