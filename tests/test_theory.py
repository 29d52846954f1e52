"""The engine against queueing theory: Erlang C, pooling, Jackson networks, Little's law.

Each check runs independent replications of a center open day and night with Poisson
arrivals and exponential services, builds a Student-t interval of the per-replication means
(`queueing.LEVEL`) and asserts that the theoretical value lies inside it, widened by a small
allowance for the start from empty and the end of the run (`queueing.BIAS`). Demands of the
first days (warm-up) and of the last days (still in the system) are left out of the means.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from harness import finished
from queueing import (
    Columns,
    assert_covers,
    days_for,
    missing_docs_tandem,
    mmc,
    replicate,
    sojourns,
    t_interval,
    tandem,
    two_windows,
    waits,
)

import sim
from sim.metrics.theory import erlang_c, jackson_sojourn, mmc_sojourn, mmc_wait
from sim.processes.records import RESOLVED
from sim.processes.world import World

MEAN = 8.0  # minutes of service at a window
REPS = 20  # independent replications per check
SEED = 2024  # root seed; each check adds its own offset


@pytest.mark.parametrize("rho", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("c", [1, 3, 5])
def test_mmc_wait_matches_erlang_c(c: int, rho: float) -> None:
    """A service center with `c` windows: the mean queue wait Wq of the files it handles and
    the share of files that wait at all agree with the M/M/c (Erlang C) formulas."""
    lam = rho * c / MEAN
    demands = 20_000 if rho >= 0.9 else 10_000  # heavy load: longer busy periods, more noise
    scenario = mmc(c, rho, MEAN, days=days_for(lam, demands))
    values = replicate(scenario, REPS, seed=SEED + 10 * c + int(10 * rho), stat=waits())
    assert_covers(values[:, 0], mmc_wait(lam, MEAN, c), f"Wq of M/M/{c} at rho={rho}")
    assert_covers(values[:, 1], erlang_c(c, lam * MEAN), f"P(wait) of M/M/{c} at rho={rho}")


def test_pooled_windows_beat_item_specific_windows() -> None:
    """Two windows at utilisation 0.8: item-specific windows (two M/M/1) make residents wait
    Wq = 32 min; letting either window take any item (one M/M/2, 全街通办) cuts it to
    about 14.2 min."""
    rho, lam = 0.8, 2 * 0.8 / MEAN
    days = days_for(lam, 12_000)
    split = replicate(two_windows(rho, MEAN, pooled=False, days=days), REPS, SEED + 100, waits())
    pooled = replicate(two_windows(rho, MEAN, pooled=True, days=days), REPS, SEED + 100, waits())
    ci_split = assert_covers(split[:, 0], mmc_wait(lam / 2, MEAN, 1), "Wq of item windows")
    ci_pooled = assert_covers(pooled[:, 0], mmc_wait(lam, MEAN, 2), "Wq of pooled windows")
    assert ci_pooled.high < ci_split.low, f"pooled {ci_pooled} not below split {ci_split}"


def test_split_windows_are_separate_queues() -> None:
    """Item-specific windows are two stations, each taking exactly its department's items
    (about half the stream); pooled windows are one station with two servers taking all."""
    split, pooled = (
        finished(sim.load_scenario(two_windows(0.8, MEAN, pooled, days=10)), 0, SEED + 700)
        for pooled in (False, True)
    )
    assert [st.servers for st in split.district.stations] == [1, 1]
    assert [st.servers for st in pooled.district.stations] == [2]
    group = np.asarray(split.demands.group)
    taken = [st.started + st.queued() for st in split.district.stations]
    assert taken == [int((group == 0).sum()), int((group == 1).sum())]
    (center,) = pooled.district.stations
    assert center.started + center.queued() == pooled.demands.size
    n = len(group)
    assert abs(taken[0] / n - 0.5) < 4 * math.sqrt(0.25 / n), f"window d1 took {taken[0]}/{n}"


A, B = (2, 8.0), (1, 5.0)  # (servers, mean minutes): utilisations 0.6 and 0.75 at λ = 0.15


def test_accept_then_forward_matches_jackson_tandem() -> None:
    """Accepted at one office (2 windows), forwarded to a back office (1 clerk): the mean time
    to resolution is the sum of the two M/M/c sojourns (a Jackson tandem)."""
    lam = 0.15
    theory = mmc_sojourn(lam, A[1], A[0]) + mmc_sojourn(lam, B[1], B[0])
    values = replicate(tandem(lam, A, B, days_for(lam, 10_000)), REPS, SEED + 200, sojourns())
    assert_covers(values, theory, "sojourn of the tandem")


def test_returned_files_match_traffic_equations() -> None:
    """The back office sends one file in five back to the front office (a missing document):
    each demand visits both offices 1/(1-0.2) = 1.25 times and the mean time to resolution
    follows the traffic equations of the Jackson network."""
    p = 0.2
    visits = 1.0 / (1.0 - p)
    lam = 0.15 / visits  # same load at each office as in the tandem
    theory = jackson_sojourn(lam, [(visits, A[0], A[1]), (visits, B[0], B[1])])
    scenario = tandem(lam, A, B, days_for(lam, 10_000), feedback=p)
    values = replicate(scenario, REPS, SEED + 300, sojourns())
    assert_covers(values, theory, "sojourn with feedback")


def test_missing_documents_match_traffic_equations() -> None:
    """Residents sent home for a missing document (coming straight back) visit the intake
    window 1/(1-p) times: their trips, their queue wait at the window and their time to
    resolution agree with the traffic equations."""
    p, lam = 0.2, 0.12
    v = 1.0 / (1.0 - p)
    days = days_for(lam, 10_000)

    def stat(rep: World) -> tuple[float, float, float]:
        c = Columns.of(rep)
        sel = c.window(days, 3.0, 2.0)
        return (
            float((c.finish - c.arrive)[sel].mean()),
            float(c.trips[sel].mean()),
            float(c.wait[sel].mean()),
        )

    values = replicate(missing_docs_tandem(lam, A, B, p, days), REPS, SEED + 400, stat)
    sojourn = jackson_sojourn(lam, [(v, A[0], A[1]), (1.0, B[0], B[1])])
    assert_covers(values[:, 0], sojourn, "sojourn with missing documents")
    assert_covers(values[:, 1], v, "trips per demand", bias=0.0)
    assert_covers(values[:, 2], v * mmc_wait(lam * v, A[1], A[0]), "resident wait at intake")


def test_littles_law_at_a_station() -> None:
    """A two-window center at utilisation 0.8: the time-average number present (area under
    the count / horizon) equals arrival rate times mean time in the system, from the records
    of the same run and from theory; the windows are busy a share rho of the time."""
    c, rho = 2, 0.8
    lam = rho * c / MEAN
    days = days_for(lam, 10_000)

    def stat(rep: World) -> tuple[float, float, float]:
        col = Columns.of(rep)
        st = rep.district.stations[0]
        horizon = rep.horizon
        done = col.outcome == RESOLVED
        n_present = st.area / horizon
        lam_hat = len(col.arrive) / horizon
        w_hat = float((col.finish - col.arrive)[done].mean())
        busy = sum(st.busy) / (st.servers * horizon)
        return n_present, n_present - lam_hat * w_hat, busy

    values = replicate(mmc(c, rho, MEAN, days), REPS, SEED + 500, stat)
    l_theory = lam * mmc_sojourn(lam, MEAN, c)
    assert_covers(values[:, 0], l_theory, "L = area / horizon vs λW")
    diff = t_interval(values[:, 1])
    assert abs(diff.mean) <= diff.half + 0.01 * l_theory, f"L - λ̂Ŵ from records: {diff}"
    assert_covers(values[:, 2], rho, "utilisation")


def test_littles_law_holds_on_every_sample_path() -> None:
    """Over a whole run of a network with feedback and no forwarding delay, the summed areas
    of the stations equal the summed time demands spent in the system up to the horizon."""
    s = sim.load_scenario(tandem(0.12, A, B, days=20, feedback=0.2))
    for index in range(3):
        rep = finished(s, index, SEED + 600)
        col = Columns.of(rep)
        inside = np.minimum(np.nan_to_num(col.finish, nan=rep.horizon), rep.horizon) - col.arrive
        area = sum(st.area for st in rep.district.stations)
        assert area == pytest.approx(float(inside.sum()), rel=1e-9)
