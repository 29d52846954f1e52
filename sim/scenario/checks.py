"""Checks across sections: every name a scenario uses must exist where it is used.

Routing to a unit that does not exist, an item of an unknown department, a street-level unit
in a district without street offices, probabilities of a stage's routes summing above one:
each is reported with the key where it happens.
"""

from __future__ import annotations

import difflib

from sim.rules.priority import RULES
from sim.scenario import limits as L
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

TOLERANCE = 1e-9


def check_references(s: Scenario) -> None:
    """Raise `ScenarioError` (file left blank for the caller) at the first broken reference."""
    depts = set(s.departments)
    for name, unit in s.units.items():
        key = f"units.{name}"
        if unit.priority not in RULES:
            _fail(f"{key}.priority", f"unknown rule '{unit.priority}'", RULES)
        if unit.windows is not None:
            for group in unit.windows:
                if group != "other" and group not in depts:
                    _fail(f"{key}.windows.{group}", "not a department nor 'other'", depts)
            if unit.servers and sum(unit.windows.values()) == 0:
                _fail(f"{key}.windows", "no window open")
        if unit.servers == 0 and unit.level != "online" and unit.windows is None:
            _fail(f"{key}.servers", "0 servers (unlimited) is only for online units")
        if unit.level == "street" and s.structure.streets == 0:
            _fail(f"{key}.level", "street-level unit but structure.streets is 0")
        ses = unit.sessions
        if ses is not None and not ses.open_hour < ses.close_hour:
            _fail(f"{key}.sessions", "a session must close after it opens")
        if ses is not None and s.calendar.kind == "office":
            off = [d for d in ses.weekdays if d >= s.calendar.days_per_week]
            if off:
                _fail(f"{key}.sessions.weekdays", f"day(s) {off} are not working days")
    used_flows = set()
    for dname, demand in s.demands.items():
        if demand.groups and abs(sum(g.share for g in demand.groups.values()) - 1) > 1e-6:
            _fail(f"demands.{dname}.groups", "shares of the groups must sum to 1")
        for gname, group in demand.groups.items():
            key = f"demands.{dname}.groups.{gname}"
            if group.department not in depts:
                _fail(f"{key}.department", f"unknown department '{group.department}'", depts)
            if group.flow not in s.flows:
                _fail(f"{key}.flow", f"unknown flow '{group.flow}'", s.flows)
            used_flows.add(group.flow)
        for band, weight in (demand.age_weights or {}).items():
            if band not in s.population.age:
                _fail(f"demands.{dname}.age_weights.{band}", "unknown age band", s.population.age)
            if weight < 0:
                _fail(f"demands.{dname}.age_weights.{band}", f"must not be negative, got {weight}")
    for fname, flow in s.flows.items():
        key = f"flows.{fname}"
        for entry in ("entry", "online_entry"):
            target = getattr(flow, entry)
            if target is not None and target not in flow.stages:
                _fail(f"{key}.{entry}", f"unknown stage '{target}'", flow.stages)
        for sname, stage in flow.stages.items():
            skey = f"{key}.stages.{sname}"
            if stage.unit not in s.units:
                _fail(f"{skey}.unit", f"routes to unit '{stage.unit}' that does not exist", s.units)
            total = 0.0
            for i, route in enumerate(stage.routes):
                if route.to not in flow.stages:
                    _fail(
                        f"{skey}.routes.{i}.to",
                        f"routes to stage '{route.to}' that does not exist",
                        flow.stages,
                    )
                total += route.p
            if total > 1 + TOLERANCE:
                _fail(f"{skey}.routes", f"probabilities sum to {total:g} > 1")
    if s.tasks.unit is not None:
        if s.tasks.unit not in s.units:
            _fail("tasks.unit", f"unknown unit '{s.tasks.unit}'", s.units)
        if s.units[s.tasks.unit].level != "community":
            _fail("tasks.unit", "tasks land on a community-level unit")
    for group, share in s.population.availability.items():
        if group not in s.population.occupation:
            _fail(
                f"population.availability.{group}",
                "unknown occupation group",
                s.population.occupation,
            )
        if not 0.0 <= share <= 1.0:
            _fail(
                f"population.availability.{group}", f"must be a probability in [0, 1], got {share}"
            )
    for band, factor in s.population.online_factor.items():
        if band not in s.population.age:
            _fail(f"population.online_factor.{band}", "unknown age band", s.population.age)
        if factor < 0:
            _fail(f"population.online_factor.{band}", f"must not be negative, got {factor}")
    for band, share in (s.online.adoption or {}).items():
        if band not in s.population.age:
            _fail(f"online.adoption.{band}", "unknown age band", s.population.age)
        if not 0.0 <= share <= 1.0:
            _fail(f"online.adoption.{band}", f"must be a probability in [0, 1], got {share}")
    c = s.consultation
    if c is not None:
        if c.unit not in s.units:
            _fail("consultation.unit", f"unknown unit '{c.unit}'", s.units)
        if s.units[c.unit].level != "community":
            _fail("consultation.unit", "consultation meets at a community-level unit")
        if c.official_occupation not in s.population.occupation:
            _fail(
                "consultation.official_occupation",
                f"unknown occupation '{c.official_occupation}'",
                s.population.occupation,
            )
        levels = s.population.education_levels()
        for level, share in c.official_education.items():
            if level not in levels:
                _fail(f"consultation.official_education.{level}", f"unknown '{level}'", levels)
            if not 0.0 <= share <= 1.0:
                _fail(f"consultation.official_education.{level}", f"must be in [0, 1], got {share}")
        if c.official_education and abs(sum(c.official_education.values()) - 1) > 1e-6:
            _fail("consultation.official_education", "shares must sum to 1")
        if c.willingness is not None:
            for band in c.willingness.by_age:
                if band not in s.population.age:
                    _fail(
                        f"consultation.willingness.by_age.{band}",
                        "unknown age band",
                        s.population.age,
                    )
            for level in c.willingness.education_odds_ratio:
                if level not in levels:
                    _fail(
                        f"consultation.willingness.education_odds_ratio.{level}",
                        f"unknown '{level}'",
                        levels,
                    )
        if s.calendar.kind == "office" and c.mass_work_weekday >= s.calendar.days_per_week:
            _fail(
                "consultation.mass_work_weekday",
                f"must be a working day (below calendar.days_per_week = "
                f"{s.calendar.days_per_week})",
            )
    for table in ("occupation", "age"):
        shares = getattr(s.population, table)
        if abs(sum(shares.values()) - 1) > 1e-6:
            _fail(f"population.{table}", "shares must sum to 1")
    _check_by_age(s)
    _check_work(s)
    if s.calendar.kind == "office" and s.calendar.close_hour <= s.calendar.open_hour:
        _fail("calendar.close_hour", "must be after open_hour")
    if s.warmup_days >= s.days:
        _fail("warmup_days", f"must be below days ({s.days})")


def _check_work(s: Scenario) -> None:
    """The work a replication would hold, estimated before it runs: refused above what
    memory can take (`sim.scenario.limits`), naming the figures that multiply into it."""
    residents = s.structure.communities * s.structure.residents_per_community
    years = s.days / 365.0
    demands = sum(d.rate_per_resident_year for d in s.demands.values()) * residents * years
    if demands > L.MAX_DEMANDS:
        top = max(s.demands, key=lambda k: s.demands[k].rate_per_resident_year)
        _fail(
            f"demands.{top}.rate_per_resident_year",
            f"about {demands:.3g} demands a replication (rates x {residents} residents x "
            f"{s.days} days) is more than the {L.MAX_DEMANDS:.3g} a run can hold",
        )
    tasks = s.tasks.per_year * s.structure.communities * years
    if tasks > L.MAX_TASKS:
        _fail(
            "tasks.per_year",
            f"about {tasks:.3g} task items a replication is more than the {L.MAX_TASKS:.3g} "
            "a run can hold",
        )


def _check_by_age(s: Scenario) -> None:
    """Occupations and education within age bands: known bands and names, shares that sum
    to 1, and occupations whose implied marginal is the scenario's ``occupation``."""
    pop = s.population
    levels = pop.education_levels()
    for table, names in (("occupation_by_age", pop.occupation), ("education_by_age", levels)):
        rows: dict[str, dict[str, float]] = getattr(pop, table)
        if rows and set(rows) != set(pop.age):
            missing = sorted(set(pop.age) - set(rows))
            extra = sorted(set(rows) - set(pop.age))
            band = (extra or missing)[0]
            what = "unknown age band" if extra else "missing age band"
            _fail(f"population.{table}.{band}", what, pop.age)
        for band, row in rows.items():
            for name, share in row.items():
                if name not in names:
                    _fail(f"population.{table}.{band}.{name}", f"unknown '{name}'", names)
                if not 0.0 <= share <= 1.0:
                    _fail(f"population.{table}.{band}.{name}", f"must be in [0, 1], got {share}")
            if table == "education_by_age" and list(row) != levels:
                _fail(f"population.{table}.{band}", f"must list the levels {levels} in order")
            if abs(sum(row.values()) - 1) > 1e-6:
                _fail(f"population.{table}.{band}", "shares must sum to 1")
    if pop.occupation_by_age:
        total = sum(pop.age.values())
        for occ, share in pop.occupation.items():
            implied = sum(
                pop.age[b] / total * row.get(occ, 0.0) for b, row in pop.occupation_by_age.items()
            )
            if abs(implied - share) > 0.005:
                _fail(
                    f"population.occupation.{occ}",
                    f"is {share} but occupation_by_age implies {implied:.4f}",
                )


def _fail(key: str, message: str, known: object = None) -> None:
    if known:
        name = message.split("'")[1] if "'" in message else key.rsplit(".", 1)[-1]
        close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
    raise ScenarioError("", key, message)
