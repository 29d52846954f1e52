"""Demand that responds to access, and online adoption by age (issue 8, items 4 and 5).

The rule is checked against values worked out by hand; the demand stream against the one
drawn before the feature existed (access off changes nothing); with ``[access]`` the raised
needs are a thinning of the latent ones at the rule's chances, fewer where trips are longer,
and reproducible; with ``online.adoption`` each age band goes online at its own share.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from harness import wire

import sim
from sim.metrics.registry import metric_rows
from sim.processes.demand import Demands
from sim.rules.access import (
    access_hours,
    expected_resident_visits,
    expected_visits,
    raise_probability,
)
from sim.scenario.schema import Flow, ItemGroup, Scenario, Stage

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TEACHING = SCENARIOS / "teaching.toml"
ACCESS = {
    "access.elasticity_per_hour": 0.5,
    "access.travel_minutes.community": 20.0,
    "access.travel_minutes.street": 40.0,
}
BIG = {"days": 365, "structure.residents_per_community": 20000}  # many needs, drawn only
Z = 4.0  # standard errors allowed in binomial checks

# A district of the tests' own, so that the shipped scenarios may change: a two-level flow
# (community intake, street processing, collection at the community), a one-stop street
# center with an online entry, and mediation sessions that repeat with chance 0.3.
DISTRICT: dict[str, Any] = {
    "name": "access-test",
    "days": 56,
    "structure": {"streets": 1, "communities": 2, "residents_per_community": 1500},
    "departments": ["civil_affairs", "other"],
    "population": {
        "age": {"18-29": 0.2, "30-49": 0.35, "50-59": 0.2, "60-69": 0.15, "70+": 0.1},
        "online_factor": {"18-29": 1.4, "30-49": 1.3, "50-59": 0.9, "60-69": 0.45, "70+": 0.15},
    },
    "units": {
        "desk": {"level": "community", "servers": 3},
        "center": {"level": "street", "servers": 2},
        "platform": {"level": "online", "servers": 0, "calendar": "always"},
    },
    "flows": {
        "two_level": {
            "entry": "intake",
            "stages": {
                "intake": {
                    "unit": "desk",
                    "item_time": "intake",
                    "missing_docs_return": True,
                    "routes": [{"to": "process", "p": 1.0, "delay_hours": 24.0}],
                },
                "process": {
                    "unit": "center",
                    "presence": "file",
                    "item_time": "processing",
                    "routes": [{"to": "collect", "p": 1.0, "delay_hours": 24.0}],
                },
                "collect": {"unit": "desk", "minutes": 5.0},
            },
        },
        "one_stop": {
            "entry": "counter",
            "online_entry": "submit",
            "stages": {
                "counter": {
                    "unit": "center",
                    "item_time": "processing",
                    "missing_docs_return": True,
                },
                "submit": {
                    "unit": "platform",
                    "presence": "file",
                    "minutes": 20.0,
                    "missing_docs_return": True,
                    "routes": [{"to": "back_office", "p": 1.0}],
                },
                "back_office": {
                    "unit": "center",
                    "presence": "file",
                    "item_time": "processing",
                    "routes": [{"to": "collect", "p": 1.0, "delay_hours": 24.0}],
                },
                "collect": {"unit": "center", "minutes": 5.0},
            },
        },
        "mediation": {
            "entry": "mediate",
            "stages": {
                "mediate": {
                    "unit": "desk",
                    "item_time": "processing",
                    "routes": [{"to": "mediate", "p": 0.3, "delay_hours": 168.0}],
                }
            },
        },
    },
    "demands": {
        "administrative": {
            "rate_per_resident_year": 0.4,
            "groups": {
                "approvals": {
                    "department": "civil_affairs",
                    "items": 11,
                    "share": 0.3,
                    "flow": "one_stop",
                    "online_eligible": True,
                    "missing_docs": 0.2,
                    "intake_minutes": 15.0,
                    "processing_minutes": 60.0,
                },
                "certificates": {
                    "department": "other",
                    "items": 70,
                    "share": 0.7,
                    "flow": "two_level",
                    "missing_docs": 0.2,
                    "intake_minutes": 15.0,
                    "processing_minutes": 30.0,
                },
            },
        },
        "dispute": {
            "rate_per_resident_year": 0.05,
            "age_weights": {"70+": 3.0},
            "groups": {
                "neighbour": {
                    "department": "other",
                    "share": 1.0,
                    "flow": "mediation",
                    "processing_minutes": 90.0,
                }
            },
        },
    },
    "online": {"share": 0.3},
}

# SHA-256 of the demand columns of replication 0 (root seed 7) of DISTRICT, with and without
# the online platform, as drawn by the code before the access feature (commit 4380b3b):
# access off must leave every draw as it was
BEFORE = {
    "online": (207, "328c98070514c366f2b97ec35fafe2df4453d48cac1e25b7adcbc9216b7fe496"),
    "offline": (207, "0be974617b4c739ea2dca3d591346310874317e075338eb5a9199a444f6041cc"),
}


def demands_of(s: Scenario, seed: int = 7) -> tuple[Any, Demands]:
    """The residents and the demand stream of replication 0 of `s`, as a run draws them."""
    world = wire(s, seed=seed)
    return world.population, world.demands


def fingerprint(d: Demands) -> str:
    """SHA-256 of every drawn column of a demand stream."""
    h = hashlib.sha256()
    for col in (d.time, d.type, d.group, d.item, d.resident, d.community, d.online):
        h.update(np.ascontiguousarray(col).tobytes())
    for col in (d.u_service, d.u_route):
        h.update(np.ascontiguousarray(col).tobytes())
    return h.hexdigest()


def rows(d: Demands) -> set[tuple[float, int, int]]:
    """Each demand as (arrival, resident, group)."""
    return set(zip(d.time.tolist(), d.resident.tolist(), d.group.tolist(), strict=True))


# ---------------------------------------------------------------- the rule, by hand


def test_visits_of_a_loop_with_missing_documents() -> None:
    """A (resident, sends home with m = 0.2, on to B with 0.6) and B (resident, back to A
    with 0.5): v_A = 1 + 0.2 v_A + 0.5 v_B and v_B = 0.8 * 0.6 v_A, so v_A = 1 / 0.56 and
    v_B = 0.48 / 0.56; C, a file stage after B, is visited 0.5 v_B times."""
    flow = Flow.model_validate(
        {
            "entry": "a",
            "stages": {
                "a": {"unit": "u", "missing_docs_return": True, "routes": [{"to": "b", "p": 0.6}]},
                "b": {"unit": "u", "routes": [{"to": "a", "p": 0.5}, {"to": "c", "p": 0.5}]},
                "c": {"unit": "u", "presence": "file"},
                "idle": {"unit": "u"},
            },
        }
    )
    v = expected_visits(flow, missing_docs=0.2)
    assert v["a"] == pytest.approx(1 / 0.56)
    assert v["b"] == pytest.approx(0.48 / 0.56)
    assert v["c"] == pytest.approx(0.24 / 0.56)
    assert v["idle"] == 0.0
    assert expected_resident_visits(flow, 0.2) == pytest.approx(
        {"a": 1 / 0.56, "b": 0.48 / 0.56, "idle": 0.0}
    )
    assert expected_visits(flow, 0.2, start="b")["a"] == pytest.approx(0.5 / 0.56)
    assert math.isinf(expected_visits(flow, 1.0)["a"])  # never gets the document


def test_access_hours_by_hand() -> None:
    """Two-level flow (community intake with m = 0.2, street processing, collection): 1.25
    intakes of 20 + 15 minutes and one collection of 20 + 5 minutes, 68.75 minutes, online
    or not (no online entry); the one-stop center at its counter: 1.25 visits of 40 + 60
    minutes; online: the submission is no trip, one collection at the street (40 + 5) and
    10 online minutes; mediation: 1 / 0.7 sessions of 20 + 90 minutes."""
    s = sim.load_scenario(DISTRICT, ACCESS)
    certificates = s.demands["administrative"].groups["certificates"]
    assert expected_resident_visits(s.flows["two_level"], 0.2) == pytest.approx(
        {"intake": 1.25, "collect": 1.0}
    )
    assert access_hours(s, certificates, online=False) == pytest.approx(68.75 / 60)
    assert access_hours(s, certificates, online=True) == pytest.approx(68.75 / 60)
    approvals = s.demands["administrative"].groups["approvals"]
    assert access_hours(s, approvals, online=False) == pytest.approx(1.25 * 100 / 60)
    assert access_hours(s, approvals, online=True) == pytest.approx(55 / 60)
    neighbour = s.demands["dispute"].groups["neighbour"]
    assert access_hours(s, neighbour, online=False) == pytest.approx(110 / 0.7 / 60)
    slow = sim.load_scenario(DISTRICT, {**ACCESS, "access.online_minutes": 30.0})
    assert access_hours(slow, approvals, online=True) == pytest.approx(75 / 60)
    with pytest.raises(ValueError, match="no \\[access\\]"):
        access_hours(sim.load_scenario(DISTRICT), approvals, online=False)


def test_raise_probability() -> None:
    """exp(-elasticity * hours); 1 at zero elasticity, however long the access."""
    assert raise_probability(2.0, 0.5) == pytest.approx(math.exp(-1.0))
    assert raise_probability(0.0, 3.0) == 1.0
    assert raise_probability(math.inf, 0.0) == 1.0
    assert raise_probability(math.inf, 0.1) == 0.0


def test_item_group_minutes_are_used_where_the_stage_says() -> None:
    """A stage with ``item_time = "processing"`` costs the group's processing minutes."""
    s = sim.load_scenario(DISTRICT, {**ACCESS, "access.travel_minutes.community": 0.0})
    g = ItemGroup.model_validate(
        {"department": "other", "share": 1.0, "flow": "mediation", "processing_minutes": 42.0}
    )
    assert access_hours(s, g, online=False) == pytest.approx(42 / 0.7 / 60)
    assert Stage.model_validate({"unit": "x"}).minutes == 10.0  # the default the rule reads


# ---------------------------------------------------------------- the scenario section


def test_access_section_loads_sourced_figures(tmp_path: Path) -> None:
    """Figures of the section carry their sources, a whole table as one figure too; an
    unknown level and an unknown age band are refused at their keys."""
    f = tmp_path / "access.toml"
    f.write_text(
        f'extends = "{TEACHING.as_posix()}"\n'
        "[access]\n"
        'travel_minutes = { value = { community = 20, street = 45 }, source = "assumption: a" }\n'
        'elasticity_per_hour = { value = 0.4, source = "assumption: b" }\n'
        "[online.adoption]\n"
        '"18-29" = { value = 0.9, source = "assumption: c" }\n',
        encoding="utf-8",
    )
    s = sim.load_scenario(f)
    assert s.access is not None
    assert s.access.travel_minutes == {"community": 20.0, "street": 45.0}
    assert s.access.online_minutes == 10.0
    assert s.sources["access.travel_minutes"] == "assumption: a"
    assert s.sources["access.elasticity_per_hour"] == "assumption: b"
    assert s.online.adoption == {"18-29": 0.9}
    assert s.sources["online.adoption.18-29"] == "assumption: c"
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(f, {"access.travel_minutes.strret": 5.0})
    assert err.value.key == "access.travel_minutes" and "unknown level" in str(err.value)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(f, {"online.adoption.elderly": 0.1})
    assert err.value.key == "online.adoption.elderly"
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(f, {"access.elasticity_per_hour": -1.0})
    assert err.value.key == "access.elasticity_per_hour"


# ---------------------------------------------------------------- the demand stream


@pytest.mark.parametrize("case", list(BEFORE))
def test_access_off_draws_the_stream_of_before(case: str) -> None:
    """Without ``[access]`` the demand stream is byte for byte the one drawn before the
    feature, and the latent needs are the demands; with the section at zero elasticity
    every need is raised and the stream is the same again."""
    over = {} if case == "online" else {"online.share": 0.0}
    _, d = demands_of(sim.load_scenario(DISTRICT, over))
    assert (d.size, fingerprint(d)) == BEFORE[case]
    assert d.online.any() == (case == "online")
    assert d.latent is not None
    assert d.latent.tolist() == np.bincount(d.group, minlength=len(d.groups)).tolist()
    zero_e = {**over, **ACCESS, "access.elasticity_per_hour": 0.0}
    _, zero = demands_of(sim.load_scenario(DISTRICT, zero_e))
    assert fingerprint(zero) == fingerprint(d)
    assert zero.latent is not None and zero.latent.tolist() == d.latent.tolist()


def test_raised_needs_thin_the_latent_ones_at_the_rule_chances() -> None:
    """The latent needs are exactly the demands drawn without ``[access]`` (the same ones:
    common random numbers); those raised are among them, and for each item group, online or
    not, their number is Binomial(latent, p) with p from the rule."""
    off = sim.load_scenario(DISTRICT, BIG)
    on = sim.load_scenario(DISTRICT, {**BIG, **ACCESS})
    assert on.access is not None
    _, d_off = demands_of(off)
    _, d_on = demands_of(on)
    assert d_on.latent is not None and d_off.latent is not None
    assert d_on.latent.tolist() == d_off.latent.tolist()
    assert rows(d_on) <= rows(d_off)
    assert d_on.size < d_off.size
    for k, g in enumerate(d_on.groups):
        for online in (False, True):
            n = int(np.sum((d_off.group == k) & (d_off.online == online)))
            raised = int(np.sum((d_on.group == k) & (d_on.online == online)))
            p = raise_probability(access_hours(on, g, online), on.access.elasticity_per_hour)
            assert abs(raised - n * p) <= Z * math.sqrt(n * p * (1 - p)) + 1e-9, (g.name, online)
            assert n > 0 or not (online and g.online_eligible)  # every cell is checked


def test_longer_trips_record_fewer_demands() -> None:
    """Doubling the round trips leaves fewer needs raised: the demands of the far district
    are among those of the near one (each need keeps its uniform)."""
    near = sim.load_scenario(DISTRICT, {**BIG, **ACCESS})
    far = sim.load_scenario(
        DISTRICT,
        {
            **BIG,
            **ACCESS,
            "access.travel_minutes.community": 40.0,
            "access.travel_minutes.street": 80.0,
        },
    )
    _, d_near = demands_of(near)
    _, d_far = demands_of(far)
    assert d_far.size < d_near.size
    assert rows(d_far) <= rows(d_near)


def test_access_runs_are_reproducible_and_report_their_metrics() -> None:
    """Two runs with one seed give the same tables; the summary holds the access metrics
    the registry lists, per type and for all types, with the values defined."""
    s = sim.load_scenario(TEACHING, ACCESS)
    opts = sim.RunOptions(workers=1, progress=False)
    a = sim.run(s, replications=1, seed=11, options=opts)
    b = sim.run(s, replications=1, seed=11, options=opts)
    assert a.summary.equals(b.summary) and a.demands.equals(b.demands)
    table = a.summary
    keys = list(zip(table["metric"], table["demand_type"], strict=True))
    assert set(keys) == metric_rows(s)
    value = dict(zip(keys, table["value"], strict=True))
    rec = a.demands
    after = rec[rec["arrival_min"] >= s.warmup_days * 1440]
    residents = s.structure.communities * s.structure.residents_per_community
    years = (s.days - s.warmup_days) / 365
    assert value[("demands_per_resident_year", "")] == pytest.approx(len(after) / residents / years)
    _, d = demands_of(s, seed=11)  # the latent needs of the same replication
    assert d.latent is not None
    resolved = int((rec["outcome"] == "resolved").sum())
    assert value[("latent_met_share", "")] == pytest.approx(resolved / d.latent.sum())
    assert 0.0 < value[("latent_met_share", "")] < 1.0
    no_access = sim.load_scenario(TEACHING).model_copy(update={"access": None})
    off = sim.run(no_access, replications=1, seed=11, options=opts)
    assert "latent_met_share" not in set(off.summary["metric"])  # only with [access]


def test_online_adoption_by_age_band() -> None:
    """With ``online.adoption`` an eligible item goes online at its resident's age band's
    share (within a binomial interval), ineligible items never."""
    adoption = {"18-29": 0.9, "30-49": 0.7, "50-59": 0.4, "60-69": 0.2, "70+": 0.05}
    s = sim.load_scenario(DISTRICT, {**BIG, "online.adoption": adoption})
    pop, d = demands_of(s)
    eligible = np.array([g.online_eligible for g in d.groups])[d.group]
    assert not d.online[~eligible].any()
    band = np.array(pop.ages)[pop.age[d.resident]]
    for name, share in adoption.items():
        here = d.online[eligible & (band == name)]
        n = len(here)
        assert n > 100, name
        assert abs(here.mean() - share) <= Z * math.sqrt(share * (1 - share) / n), name
