"""Access metrics: how much of residents' need is recorded, and how much of it is met.

With an ``[access]`` section residents raise a latent need only if going to the office seems
worth it (`sim.rules.access`), so the number of demands differs between scenarios that
differ in access. Pure functions of a replication's `Records` (see docs/metrics.md).
"""

from __future__ import annotations

import numpy as np

from sim.clock import DAY
from sim.metrics.reduce import ratio
from sim.processes.records import RESOLVED, Records
from sim.rules.access import access_hours

Rows = dict[tuple[str, str], float]


def access_metrics(rec: Records) -> Rows:
    """Summary metrics of access, keyed by (metric, demand_type), for all demand types
    together (``""``) and per type.

    ``demands_per_resident_year``
        Demands raised after the warm-up / residents / years after the warm-up (counted
        like ``demands``).
    ``latent_met_share``
        Demands raised and resolved by the end of the run / latent needs, raised or not.
        Both count the whole run, warm-up included: latent needs that were not raised have
        no arrival in the records, so the warm-up cannot be cut from them.
    ``raised_share``
        Demands raised / latent needs, over the whole run: the share of need that reaches
        an office.
    ``access_hours_mean``
        A resident's expected hours of access (trips and service at the counters, by
        `sim.rules.access.access_hours`) for an item at the counter, averaged over the latent
        needs: why residents raise more or fewer of them than under another structure.
    """
    s, d = rec.scenario, rec.demands
    residents = s.structure.communities * s.structure.residents_per_community
    years = (s.days - s.warmup_days) / 365.0
    n_groups = len(d.group_name)
    group = np.asarray(d.group, np.int64)
    after = d.arrival >= s.warmup_days * DAY
    raised = np.bincount(group[after], minlength=n_groups)
    resolved = np.bincount(group[d.outcome == RESOLVED], minlength=n_groups)
    latent = np.asarray(d.group_latent, np.int64)
    types = np.array(d.group_type, dtype=object)
    everything = np.bincount(group, minlength=n_groups)
    names = np.array(d.group_name, dtype=object)
    hours = np.array(
        [
            access_hours(s, s.demands[t].groups[g], online=False)
            for t, g in zip(types, names, strict=True)
        ]
    )
    out: Rows = {}
    for dtype in ("", *s.demands):
        mask = np.ones(n_groups, bool) if dtype == "" else types == dtype
        out[("demands_per_resident_year", dtype)] = ratio(
            float(raised[mask].sum()), residents * years
        )
        out[("latent_met_share", dtype)] = ratio(
            float(resolved[mask].sum()), float(latent[mask].sum())
        )
        out[("raised_share", dtype)] = ratio(
            float(everything[mask].sum()), float(latent[mask].sum())
        )
        out[("access_hours_mean", dtype)] = ratio(
            float((hours[mask] * latent[mask]).sum()), float(latent[mask].sum())
        )
    return out
