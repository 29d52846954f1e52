"""Sweeps: how the results of a reform depend on the figures it rests on.

A sweep file names a base scenario (a district and its reform), the figures to vary — any
dotted key, typically the assumptions listed by ``govsim assumptions`` — with their ranges, a
design that picks the combinations to run, and the outputs to explain. Each combination (a
design point) runs as its own scenario of one `Experiment` under the sweep's root seed, so
replication r of every point sees the same random streams (common random numbers) and a
difference between points comes from the figures, not from luck.

Designs: ``factorial`` (every combination of evenly spaced levels), ``lhs`` (a Latin
hypercube, `scipy.stats.qmc.LatinHypercube`), ``qmc_sobol`` (a scrambled Sobol' sequence,
`scipy.stats.qmc.Sobol`), and two designs that yield sensitivity indices through SALib:
``sobol`` (Saltelli's sampling; first-order and total Sobol' indices — the share of an
output's variance due to each figure alone and with its interactions) and ``morris``
(elementary effects along one-at-a-time trajectories; mu* ranks the figures).

A sweep file, for example::

    base = "../scenarios/xiangfang_center.toml"   # or a list of layered files
    seed = { value = 2017, source = "assumption: any fixed root seed" }
    replications = { value = 2, source = "assumption: two replications per point" }

    [overrides]                                    # applied to the base before the sweep
    days = { value = 120, source = "assumption: four months" }

    [design]
    kind = "sobol"                                 # factorial, lhs, qmc_sobol, sobol, morris
    samples = 64                                   # N base samples: N(2D+2) points

    [parameters."online.share"]
    low = 0.1
    high = 0.5
    source = "assumption: from a tenth to half of eligible approvals go online"

    [parameters.approval_minutes]                  # one figure set in several places
    keys = ["demands.administrative.groups.civil_affairs_approvals.processing_minutes",
            "demands.administrative.groups.disability_approvals.processing_minutes"]
    low = 30
    high = 120
    integer = true                                 # round to whole numbers
    source = "assumption: half to twice the baseline hour"

    [outputs]
    metrics = ["resolution_days_mean", "trips_per_demand_mean"]
    demand_type = "administrative"                 # "" for all types together

A run folder holds ``manifest.json``, ``parts/scenario=<point>/replication=0/summary.parquet`` (each
replication written atomically as it finishes; a rerun into the folder resumes),
``design.csv`` (point and figure values), ``sweep.csv`` (tidy: point, replication, figures,
metric, demand_type, value), ``sobol_indices.csv`` or ``morris_indices.csv``, and the figures
``sensitivity.png`` (indices) and ``response.png`` (point means against each figure).

The package: `spec` (the sweep-file schema and the resolved `Parameter` and `Sweep`),
`design` (design points and their scenarios), `load` (reading and checking a sweep file),
`analysis` (point means and sensitivity indices), `report` (`SweepResult` and its terminal
text) and `run` (the `sweep` function and its run folder); each imports only those before it.
"""

from sim.experiment.options import default_out
from sim.experiment.sweep.analysis import (
    drivers,
    point_means,
    read_sweep_table,
    sensitivity_indices,
)
from sim.experiment.sweep.design import (
    DesignPoints,
    design_size,
    make_design,
    point_id,
    point_scenario,
    point_scenarios,
)
from sim.experiment.sweep.load import load_sweep
from sim.experiment.sweep.report import SweepResult, readable_sweep
from sim.experiment.sweep.run import sweep
from sim.experiment.sweep.spec import KINDS, Parameter, Sweep, SweepSpec

__all__ = [
    "KINDS",
    "DesignPoints",
    "Parameter",
    "Sweep",
    "SweepResult",
    "SweepSpec",
    "default_out",
    "design_size",
    "drivers",
    "load_sweep",
    "make_design",
    "point_id",
    "point_means",
    "point_scenario",
    "point_scenarios",
    "read_sweep_table",
    "readable_sweep",
    "sensitivity_indices",
    "sweep",
]
