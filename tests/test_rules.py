"""Priority rules: which waiting work a free staffer takes next (sim/rules/priority.py).

A rule is a pure function of the three queues (residents, files, tasks); no environment is
needed. Entries are ``(class, job, service minutes, time joined)``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.rules.priority import (
    CLASS_NAMES,
    FILE,
    MEETING,
    RESIDENT,
    RULES,
    TASK,
    Queues,
    Rule,
    counter_first,
    fifo,
    residents_first,
    tasks_first,
)


def make_queues(
    residents: Sequence[float] = (),
    files: Sequence[float] = (),
    tasks: Sequence[float] = (),
) -> tuple[deque, deque, deque]:
    """Three queues holding entries that joined at the given times (job ids count up)."""
    out: list[deque] = []
    job = 0
    for cls, times in ((RESIDENT, residents), (FILE, files), (TASK, tasks)):
        q: deque = deque()
        for t in times:
            q.append((cls, job, 10.0, t))
            job += 1
        out.append(q)
    return out[0], out[1], out[2]


def picked(rule: Rule, queues: Queues) -> int | None:
    """Class index of the queue a rule picks (None when it picks nothing)."""
    q = rule(queues)
    if q is None:
        return None
    matches = [c for c in range(3) if queues[c] is q]
    assert len(matches) == 1, "a rule must return one of the station's own deques"
    return matches[0]


def test_registry_names_the_four_rules() -> None:
    """Scenarios name the rules "fifo", "tasks_first", "counter_first", "residents_first"."""
    assert RULES == {
        "fifo": fifo,
        "tasks_first": tasks_first,
        "counter_first": counter_first,
        "residents_first": residents_first,
    }
    assert (RESIDENT, FILE, TASK, MEETING) == (0, 1, 2, 3)
    assert CLASS_NAMES == ("resident", "file", "task", "meeting")


@pytest.mark.parametrize("rule", [fifo, tasks_first, counter_first, residents_first])
def test_nothing_waiting_means_nothing_picked(rule: Rule) -> None:
    """A staffer with empty trays and no one at the counter picks nothing."""
    assert rule(make_queues()) is None


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        ((RESIDENT, FILE, TASK), TASK),
        ((RESIDENT, FILE), RESIDENT),
        ((FILE, TASK), TASK),
        ((RESIDENT,), RESIDENT),
        ((FILE,), FILE),
    ],
)
def test_tasks_first(waiting: tuple[int, ...], expected: int) -> None:
    """Baseline community staff do departments' tasks, then serve the counter, then files."""
    times = {c: [1.0e6 if c == TASK else 0.0] for c in waiting}  # tasks came last
    queues = make_queues(times.get(RESIDENT, []), times.get(FILE, []), times.get(TASK, []))
    assert picked(tasks_first, queues) == expected


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        ((RESIDENT, FILE, TASK), RESIDENT),
        ((FILE, TASK), TASK),
        ((RESIDENT, FILE), RESIDENT),
        ((FILE,), FILE),
    ],
)
def test_counter_first(waiting: tuple[int, ...], expected: int) -> None:
    """Staff serve the resident at the counter, then tasks; files wait behind the tasks."""
    times = {c: [1.0e6 if c == RESIDENT else 0.0] for c in waiting}  # residents came last
    queues = make_queues(times.get(RESIDENT, []), times.get(FILE, []), times.get(TASK, []))
    assert picked(counter_first, queues) == expected


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        ((RESIDENT, FILE, TASK), RESIDENT),
        ((FILE, TASK), FILE),
        ((RESIDENT, TASK), RESIDENT),
        ((TASK,), TASK),
    ],
)
def test_residents_first(waiting: tuple[int, ...], expected: int) -> None:
    """A reformed desk serves the counter first, then files, then departments' tasks."""
    times = {c: [1.0e6 if c == RESIDENT else 0.0] for c in waiting}  # residents came last
    queues = make_queues(times.get(RESIDENT, []), times.get(FILE, []), times.get(TASK, []))
    assert picked(residents_first, queues) == expected


@pytest.mark.parametrize(
    ("residents", "files", "tasks", "expected"),
    [
        ([5.0], [3.0], [4.0], FILE),
        ([1.0, 2.0], [3.0], [4.0], RESIDENT),
        ([9.0], [], [8.5], TASK),
        ([7.0], [2.0, 9.0], [6.0], FILE),
        ([3.0, 3.5], [1.0, 100.0], [2.0], FILE),  # only heads are compared
    ],
)
def test_fifo_takes_the_earliest_head(
    residents: list[float], files: list[float], tasks: list[float], expected: int
) -> None:
    """First come, first served across the counter, the file tray and the task pile."""
    assert picked(fifo, make_queues(residents, files, tasks)) == expected


@pytest.mark.parametrize(
    ("residents", "files", "tasks", "expected"),
    [
        ([4.0], [4.0], [4.0], RESIDENT),
        ([], [4.0], [4.0], FILE),
        ([5.0], [4.0], [4.0], FILE),
    ],
)
def test_fifo_ties_go_to_the_lower_class(
    residents: list[float], files: list[float], tasks: list[float], expected: int
) -> None:
    """When two pieces of work came at the same minute, residents go before files and tasks."""
    assert picked(fifo, make_queues(residents, files, tasks)) == expected


@pytest.mark.parametrize("rule", [fifo, tasks_first, counter_first, residents_first])
def test_rules_do_not_touch_the_queues(rule: Rule) -> None:
    """Choosing is not serving: a rule leaves every entry in place."""
    queues = make_queues([2.0, 3.0], [1.0], [4.0])
    before = [list(q) for q in queues]
    rule(queues)
    assert [list(q) for q in queues] == before


# -- properties -------------------------------------------------------------------------
queue_times = st.lists(st.integers(0, 50).map(float), max_size=4).map(sorted)


@given(queue_times, queue_times, queue_times)
def test_rules_pick_a_waiting_queue_by_their_order(
    residents: list[float], files: list[float], tasks: list[float]
) -> None:
    """Each rule picks a non-empty queue whenever work waits, following its stated order."""
    queues = make_queues(residents, files, tasks)
    non_empty = [c for c in range(3) if queues[c]]
    for rule, order in ((tasks_first, (TASK, RESIDENT, FILE)), (residents_first, (0, 1, 2))):
        expected = next((c for c in order if c in non_empty), None)
        assert picked(rule, queues) == expected
    c = picked(fifo, queues)
    if not non_empty:
        assert c is None
    else:
        assert c is not None
        heads = [queues[k][0][3] for k in non_empty]
        assert queues[c][0][3] == min(heads)
        assert c == min(k for k in non_empty if queues[k][0][3] == min(heads))


@pytest.mark.parametrize("rule", [fifo, tasks_first, counter_first, residents_first])
def test_a_meeting_due_is_taken_first(rule: Rule) -> None:
    """A consultation meeting waiting is served before any resident, file or task."""
    queues = [deque([(c, c, 1.0, 0.0)]) for c in (RESIDENT, FILE, TASK)]
    queues.append(deque([(MEETING, 9, 1.0, 5.0)]))
    assert rule(queues) is queues[MEETING]
    queues[MEETING].clear()
    assert rule(queues) is not queues[MEETING]
