"""Which waiting work a free staffer takes next (a named priority rule).

A unit's queue holds four classes of work: residents at the counter (``RESIDENT``), files in
the back office (``FILE``), tasks pushed down by departments, plaques and assessments
(``TASK``), and consultation work at a set time (``MEETING``: a deliberation, linkage
consultation or hearing the staff run). In the baseline a community's staff serve the tasks
first (the burden the sources describe), or serve the resident standing at the counter and
let the tasks crowd out the back-office files; a reform may put residents first. A meeting due is
always taken first: it was scheduled. Each rule is a pure function of the queues.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

RESIDENT, FILE, TASK, MEETING = 0, 1, 2, 3
CLASS_NAMES = ("resident", "file", "task", "meeting")
N_CLASSES = len(CLASS_NAMES)

Queues = Sequence[deque]
Rule = Callable[[Queues], deque | None]


def _in_order(order: tuple[int, ...]) -> Rule:
    def pick(queues: Queues) -> deque | None:
        if len(queues) > MEETING and queues[MEETING]:
            return queues[MEETING]
        for c in order:
            if queues[c]:
                return queues[c]
        return None

    return pick


def fifo(queues: Queues) -> deque | None:
    """First come, first served across classes (earliest head of queue); meetings first."""
    if len(queues) > MEETING and queues[MEETING]:
        return queues[MEETING]
    best = None
    for q in queues[:MEETING]:
        if q and (best is None or q[0][3] < best[0][3]):
            best = q
    return best


tasks_first = _in_order((TASK, RESIDENT, FILE))
tasks_first.__doc__ = "Departments' tasks first, then residents at the counter, then files."
counter_first = _in_order((RESIDENT, TASK, FILE))
counter_first.__doc__ = (
    "The resident at the counter first, then departments' tasks, then files: back-office "
    "work (household investigations, visits, processing) waits behind the tasks."
)
residents_first = _in_order((RESIDENT, FILE, TASK))
residents_first.__doc__ = "Residents at the counter first, then files, then tasks."

RULES: dict[str, Rule] = {
    "fifo": fifo,
    "tasks_first": tasks_first,
    "counter_first": counter_first,
    "residents_first": residents_first,
}
