"""The catalogue of summary metrics: one record per figure a run of the district can report.

Each record gives the metric's name in ``summary.csv``, a plain-English label, its unit,
which direction is better for residents and staff, a one-line definition, and where it is
reported (per demand type, per item class, per consultation level; the scenario section that
switches it on). Plain data; `sim.metrics.registry` answers questions about it for a
scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher", "neither"]
BETTER: tuple[str, ...] = ("lower", "higher", "neither")
MECHANISMS = ("consultation", "market", "burden", "evaluation")
# sections that switch metrics on: the mechanisms, and residents' access costs
SECTIONS = (*MECHANISMS, "access")


@dataclass(frozen=True)
class Metric:
    """One summary figure of a run: what it measures about the district and how to read it.

    Attributes
    ----------
    name : str
        Name in ``summary.csv`` (a pattern such as ``utilisation_<level>`` for a family).
    label : str
        Plain-English label for figures.
    unit : str
        Unit of the value (``days``, ``minutes``, ``hours``, ``share``, ``yuan``, ``count``…).
    better : {"lower", "higher", "neither"}
        Which direction is an improvement for residents and staff (``neither`` when it
        depends on the reform's aims).
    description : str
        One-line definition (docs/metrics.md shows it as written here; Markdown allowed).
    per_type : bool
        Also reported per demand type (``demand_type`` set); otherwise only for all types
        together, save consultation metrics reported per level (see `per_level`).
    section : str
        Scenario section that switches the metric on (``""`` for the core model).
    per_level : bool
        Also reported per consultation level (``demand_type`` = ``deliberation``,
        ``linkage`` or ``hearing``).
    per_class : bool
        Also reported per item class of a demand type with several (``demand_type`` =
        ``<type>/<group>``, e.g. ``administrative/civil_affairs_approvals``).
    """

    name: str
    label: str
    unit: str
    better: Better
    description: str
    per_type: bool = False
    section: str = ""
    per_level: bool = False
    per_class: bool = False

    @property
    def pattern(self) -> bool:
        """Whether the name is a pattern (``<…>`` filled in from the scenario)."""
        return "<" in self.name


def _m(
    name: str,
    label: str,
    unit: str,
    better: Better,
    description: str,
    *,
    per_type: bool = False,
    section: str = "",
    per_level: bool = False,
    per_class: bool = False,
) -> Metric:
    return Metric(name, label, unit, better, description, per_type, section, per_level, per_class)


# fmt: off
_CORE = [
    # demands, for all types together and per type
    _m("demands", "Demands", "count", "neither",
       "demands that arrived after the warm-up", per_type=True, per_class=True),
    _m("resolution_days_mean", "Mean resolution time", "days", "lower",
       "mean calendar days from the arrival of a need to its resolution (the end of its last "
       "stage), over resolved demands; nights and weekends included",
       per_type=True, per_class=True),
    _m("resolution_days_p90", "90th percentile of resolution time", "days", "lower",
       "90th percentile of calendar days from arrival to resolution, over resolved demands",
       per_type=True, per_class=True),
    _m("wait_minutes_mean", "Mean queueing time", "minutes", "lower",
       "mean open-office minutes a resident spent queueing at counters (stages with the "
       "resident present; a resident sent home at closing does not wait overnight), over "
       "resolved demands", per_type=True, per_class=True),
    _m("trips_per_demand_mean", "Trips per demand", "trips", "lower",
       "mean number of times the resident came to a counter: each entry into a stage with the "
       "resident present, plus one for each closing that found the resident still queueing "
       "(they come back the next working day), over resolved demands",
       per_type=True, per_class=True),
    _m("handoffs_per_demand_mean", "Hand-offs per demand", "hand-offs", "lower",
       "mean number of times the file moved between two different staffed stations (e.g. "
       "community → street → community in two-level flow); moves through the online "
       "platform do not count", per_type=True, per_class=True),
    _m("units_visited_mean", "Stations visited", "stations", "lower",
       "mean number of station changes along the path, counting the first",
       per_type=True, per_class=True),
    _m("resolved_share", "Share resolved", "share", "higher",
       "resolved / arrived", per_type=True, per_class=True),
    _m("abandoned_share", "Share abandoned", "share", "lower",
       "abandoned (balked at a full counter) / arrived", per_type=True, per_class=True),
    _m("open_share", "Share still open", "share", "lower",
       "still open at the end of the run / arrived; resolved + abandoned + open = 1",
       per_type=True, per_class=True),
    _m("online_share", "Share handled online", "share", "neither",
       "demands that entered through the online platform / arrived", per_type=True, per_class=True),
    # community staff time and the windows of each level
    _m("staff_hours_share_tasks", "Staff time on pushed-down tasks", "share", "lower",
       "community staff hours on departments' tasks, plaques and assessments / all community "
       "staff hours"),
    _m("staff_hours_share_service", "Staff time serving residents", "share", "neither",
       "community staff hours serving residents at the counter and processing their files / "
       "all community staff hours"),
    _m("staff_hours_share_self_governance", "Staff time free for self-governance", "share",
       "higher",
       "community staff hours left free while the office is open / all community staff hours: "
       "the time available for self-governance work (居民自治: visits, activities, "
       "consultation); the three shares sum to 1 (four with `[consultation]`)"),
    _m("staff_hours_share_consultation", "Staff time on consultation", "share", "neither",
       "community staff hours of consultation step work and meetings / all community staff "
       "hours (then the four `staff_hours_share_*` sum to 1)", section="consultation"),
    _m("staff_hours_per_community_day", "Staff hours per community and day", "hours",
       "neither",
       "community staff hours (busy, overtime included, and free) per community per day"),
    _m("utilisation_<level>", "Utilisation of <level> windows", "share", "neither",
       "busy / (busy + free) hours of the staffed stations of the <level> level"),
    # cost, satisfaction and top-down work
    _m("handling_yuan_per_demand", "Handling cost per demand", "yuan", "lower",
       "minutes staffed stations spent serving the demand × their wage per open minute "
       "(`staff_cost_yuan_per_year` / open minutes of an office year), over demands that "
       "arrived after the warm-up: the handling cost, not the wage bill",
       per_type=True, per_class=True),
    _m("staff_minutes_per_demand", "Staff minutes per demand", "minutes", "lower",
       "minutes staffed stations spent serving the demand", per_type=True, per_class=True),
    _m("resolution_days_queue", "Days queueing", "days", "lower",
       "part of `resolution_days_mean` spent queueing at stations (the resident at a counter "
       "or the file in a tray, nights included)", per_type=True, per_class=True),
    _m("resolution_days_service", "Days in service", "days", "lower",
       "part of `resolution_days_mean` spent being served", per_type=True, per_class=True),
    _m("resolution_days_transit", "Days in transit", "days", "lower",
       "part of `resolution_days_mean` files spent between offices, waiting for the courier "
       "round included (`pickup_weekdays`)", per_type=True, per_class=True),
    _m("resolution_days_statutory", "Days of statutory periods", "days", "neither",
       "part of `resolution_days_mean` in periods the law sets (`statutory` routes: "
       "publicity 公示)", per_type=True, per_class=True),
    _m("resolution_days_away", "Days the resident is away", "days", "lower",
       "part of `resolution_days_mean` between the resident's trips: sent home for a missing "
       "document, or told to come back for the result", per_type=True, per_class=True),
    _m("resolution_days_other", "Days held elsewhere", "days", "lower",
       "the rest of `resolution_days_mean`: time a mechanism held the matter (a social "
       "organisation's visit under `[market]`); the six parts add up to "
       "`resolution_days_mean`",
       per_type=True, per_class=True),
    _m("cost_yuan_per_demand", "Staff cost per demand", "yuan", "lower",
       "staff cost of every unit (servers × `staff_cost_yuan_per_year` × years after the "
       "warm-up) / demands that arrived after the warm-up"),
    _m("satisfaction_mean", "Resident satisfaction", "0–1", "higher",
       "mean resident satisfaction at the end of the run; after each of their demands a "
       "resident's score moves `learning_rate` of the way toward "
       "`exp(-days / target_days) × (1 − trip_penalty × (trips − 1))` (0 for an abandoned "
       "demand)"),
    _m("tasks_per_community_year", "Tasks per community and year", "tasks", "lower",
       "task items pushed down per community per year (plaques and assessments not counted)"),
    # the conservation table: what a structural reform moves between levels
    _m("residents_total", "Residents", "residents", "neither",
       "residents of the district (communities × residents per community)"),
    _m("staff_count_<level>", "Staff at <level> level", "staff", "neither",
       "staff (windows, workers, leaders who sign in sessions) standing at the <level> level, "
       "summed over its places"),
    _m("staff_count_total", "Staff in all", "staff", "neither",
       "staff of every unit at every level"),
    _m("demands_per_year", "Demands a year", "demands", "neither",
       "demands residents raised over the whole run (warm-up included), per year"),
    _m("demands_per_year_<level>", "Demands a year entering at <level> level", "demands",
       "neither", "demands raised over the whole run (warm-up included) that entered at a "
       "counter or platform of the <level> level, per year"),
    _m("topdown_work_hours_per_year", "Top-down work hours a year", "hours", "lower",
       "hours of tasks, plaques and assessments departments pushed down (done or still "
       "waiting at the end), per year of the run (warm-up included)"),
    _m("task_saturated_days_share", "Days buried in tasks", "share", "lower",
       "community working days after the warm-up on which departments' tasks took at least "
       "90% of the staff's open hours (the days a community is buried in tasks, 001: "
       "疲于应付); empty without community staff"),
    _m("tasks_late_share", "Tasks late", "share", "lower",
       "task items not finished within `tasks.deadline_days` of their campaign / task items "
       "pushed down; empty without a deadline"),
    _m("task_days_mean", "Mean task completion time", "days", "lower",
       "mean time from a task's arrival to the end of its last chunk, over finished tasks"),
    _m("task_backlog_hours_end", "Task backlog at the end", "hours", "lower",
       "hours of pushed-down work (tasks, plaques, assessments) left undone per community at "
       "the end of the run"),
]

_C = "consultation"
_CONSULTATION = [
    _m("matters_raised", "Matters raised", "count", "neither",
       "matters that arose for consultation", section=_C),
    _m("participation_rate", "Participation rate", "share", "higher",
       "residents who took part (any channel, organisation members included) / residents "
       "asked", section=_C),
    _m("participant_share_<occupation>", "Share of participants who are <occupation>",
       "share", "neither", "everyone seated whose occupation is <occupation> / everyone seated "
       "(resident participants and officials, officials counted as "
       "`consultation.official_occupation`; community staff not counted)", section=_C),
    _m("participant_share_remote", "Share of participants reached remotely", "share",
       "neither",
       "participants reached by visit, written or online consultation / participants",
       section=_C),
    _m("participant_share_education_<level>", "Share of participants with <level> education",
       "share", "neither", "everyone seated whose education is <level> / everyone seated "
       "(officials by `consultation.official_education`; with "
       "`population.education_by_age`)", section=_C),
    _m("refusal_share_disappointed", "Refusals out of disappointment", "share", "lower",
       "residents asked who did not come because still disappointed / residents asked who "
       "did not come (003's base: the 9% are of those unwilling to take part)", section=_C),
    _m("declined_share_busy", "Declines for want of time", "share", "neither",
       "residents asked, willing but not free at the meeting's time nor reached otherwise / "
       "residents asked who did not come", section=_C),
    _m("declined_share_unwilling", "Declines for want of interest", "share", "neither",
       "residents asked who were not willing (and not disappointed) / residents asked who "
       "did not come", section=_C),
    _m("official_hours", "Officials' hours in consultation", "hours", "lower",
       "hours officials (legal aid, departments, property company, deputies, units) sat in "
       "consultation meetings and guided deliberations", section=_C),
    _m("consultations_guided", "Deliberations guided by legal aid", "count", "neither",
       "grid deliberations without consensus that legal-aid staff guided to a second "
       "meeting (003)", section=_C),
    _m("disappointed_share_end", "Residents disappointed at the end", "share", "lower",
       "residents still disappointed at the end of the run / residents", section=_C),
    _m("residents_participated_share", "Residents who ever took part", "share", "higher",
       "residents who took part at least once / residents", section=_C),
    _m("consultations_held", "Consultation meetings held", "count", "neither",
       "consultation meetings held, per level and in total", section=_C, per_level=True),
    _m("consultation_days_mean", "Mean consultation time", "days", "lower",
       "per level: calendar days from that level's set-topic step to its published result "
       "(escalated deliberations excluded); all levels: from the matter arising to its final "
       "result", section=_C, per_level=True),
    _m("consultations_escalated", "Deliberations escalated", "count", "neither",
       "grid deliberations without consensus handed up to linkage", section=_C),
    _m("consultation_implemented_share", "Consultation results carried out", "share",
       "higher", "published results carried out / published results (no consensus at the top "
       "counts as not carried out)", section=_C),
    _m("temporary_orgs_formed", "Temporary organisations formed", "count", "neither",
       "temporary social organisations (临时性社会组织) formed", section=_C),
    _m("staff_hours_saved_by_temporary_orgs", "Staff hours saved by temporary organisations",
       "hours", "higher",
       "community staff hours of step work the temporary organisations took over",
       section=_C),
]

_B = "burden"
_BURDEN = [
    _m("tasks_pushed_back_per_community_year", "Tasks pushed back per community and year",
       "tasks", "lower",
       "new tasks departments pushed back that reached communities, per community per year",
       section=_B),
    _m("tasks_rejected_by_gate_share", "Tasks turned away by the access gate", "share",
       "neither", "new tasks the access gate (准入) turned away / new tasks assigned (0 "
       "without a gate)", section=_B),
    _m("tasks_withheld_share", "Tasks withheld after poor ratings", "share", "neither",
       "would-be unfunded tasks departments tried but held back after poor ratings / would-be "
       "tasks tried (0 without `[evaluation]`)", section=_B),
    _m("funded_task_share", "Tasks assigned with funds", "share", "higher",
       "new tasks assigned with their funds (费随事转) / new tasks assigned", section=_B),
    _m("bought_hours_per_community_year", "Bought hours per community and year", "hours",
       "neither",
       "hours of accepted funded tasks bought from outside the community staff, per community "
       "per year", section=_B),
    _m("tasks_per_community_last_year", "Tasks per community in the last year", "tasks",
       "lower", "task items (core and pushed back; no plaques or assessments) received per "
       "community in the last year, scaled to a full year if the last year is partial",
       section=_B),
    _m("staff_hours_share_tasks_last_year", "Staff time on tasks in the last year", "share",
       "lower", "`staff_hours_share_tasks` over the last year of the run only", section=_B),
    _m("push_habit_mean", "Departments' habit of pushing work down", "0–1", "lower",
       "departments' habit of pushing to a community at the end of the run, mean over "
       "departments and communities (`sim/rules/push.py`: up with each task accepted, down "
       "with each turned away by the gate)", section=_B),
    _m("push_attraction", "Communities' draw for departments' work", "factor", "neither",
       "`channel × (staff / (reference_staff × scale))^capacity_elasticity`: how strongly a "
       "community's staff per resident and administrative status draw departments' work (1 "
       "for the reference community)", section=_B),
]

_E = "evaluation"
_EVALUATION = [
    _m("community_rating_mean", "Mean community rating", "0–1", "higher",
       "last yearly rating of communities (their residents' mean satisfaction), mean over "
       "communities", section=_E),
    _m("community_rating_min", "Lowest community rating", "0–1", "higher",
       "last yearly rating of communities (their residents' mean satisfaction), lowest over "
       "communities", section=_E),
    _m("department_rating_mean", "Mean department rating", "0–1", "higher",
       "last yearly rating of departments (funded share of the new tasks each assigned that "
       "year), mean over rated departments; NaN without `[burden]`", section=_E),
    _m("push_factor_mean", "Departments' factor on unfunded tasks", "0–1", "lower",
       "departments' factor on unfunded tasks after the last rating, mean; each year it is "
       "multiplied by `1 − feedback × (1 − rating)`", section=_E),
]

_K = "market"
_MARKET = [
    _m("social_orgs_active", "Social organisations active", "organisations", "neither",
       "social organisations active at the end of the run (entered, not exited)", section=_K),
    _m("social_orgs_per_community", "Social organisations per community", "organisations",
       "neither", "`social_orgs_active` / communities", section=_K),
    _m("social_orgs_entered", "Social organisations entered", "organisations", "neither",
       "social organisations that entered during the run (the initial stock not counted)",
       section=_K),
    _m("social_orgs_exited", "Social organisations exited", "organisations", "neither",
       "social organisations that exited after losing `exit_after_years` listings in a row",
       section=_K),
    _m("social_org_survival_share", "Social organisation survival", "share", "neither",
       "active at the end / all organisations ever active (initial stock and entrants)",
       section=_K),
    _m("social_org_capacity_hours", "Service hours bought", "hours a year", "neither",
       "service hours bought: awarded projects' budgets / `cost_per_hour_yuan`, mean over the "
       "run's years", section=_K),
    _m("social_org_hours_used_share", "Bought hours used", "share", "higher",
       "minutes of outsourced visits organisations took / minutes their contracts grant for "
       "them (hours × `personal_share`)", section=_K),
    _m("social_org_quality_mean", "Social organisation quality", "0–1", "higher",
       "mean quality (chance a visit meets the need) of active organisations at the end",
       section=_K),
    _m("social_org_quality_holders", "Quality of project holders", "0–1", "higher",
       "mean quality (chance of getting a stage right first time) of the organisations "
       "awarded projects at the last listing (yearly: at each listing): professionalisation",
       section=_K),
    _m("personal_needs_met_share", "Outsourced stages met by providers", "share", "higher",
       "visits at `outsource` stages, offered after the warm-up, that a provider (organisation "
       "or contractor) took and got right first time / all such visits; the rest fell back on "
       "staff for lack of hours or after a failed visit", section=_K),
    _m("purchase_taken_share", "Outsourced stages taken by providers", "share", "neither",
       "visits at `outsource` stages, offered after the warm-up, that a contract with hours "
       "left took / all such visits", section=_K),
    _m("purchase_first_time_right", "Providers' first-time-right", "share", "higher",
       "visits providers took after the warm-up and got right first time / visits they took",
       section=_K),
    _m("social_org_first_time_right", "Organisations' first-time-right", "share", "higher",
       "visits social organisations took and got right first time / visits they took, over "
       "the whole run (yearly: in each year): professionalisation as residents see it",
       section=_K),
    _m("contract_hours_per_year", "Hours bought from contractors", "hours a year", "neither",
       "hours of the untendered lines (`quality` set: health stations, property companies): "
       "budgets / `cost_per_hour_yuan`, mean over the run's years", section=_K),
    _m("contract_hours_used_share", "Contractors' hours used", "share", "neither",
       "minutes of outsourced stages contractors took / minutes their contracts grant for "
       "them (hours × the line's `personal_share`)", section=_K),
    _m("market_projects_per_year", "Projects listed a year", "projects", "neither",
       "projects listed a year, mean", section=_K),
    _m("market_bids_per_project", "Bids per project", "bids", "higher",
       "bids / projects listed over the run", section=_K),
    _m("market_award_share", "Projects awarded", "share", "neither",
       "projects awarded / projects listed", section=_K),
    _m("market_spend_yuan_per_year", "Market spending a year", "yuan", "neither",
       "prices paid for awarded projects a year, mean", section=_K),
]

_A = "access"
_ACCESS = [
    _m("demands_per_resident_year", "Demands per resident and year", "demands", "neither",
       "demands raised after the warm-up / residents / years after the warm-up",
       per_type=True, section=_A),
    _m("latent_met_share", "Latent needs met", "share", "higher",
       "demands raised and resolved by the end of the run / latent needs, raised or not; both "
       "over the whole run, warm-up included (needs not raised have no arrival in the "
       "records)", per_type=True, section=_A),
    _m("raised_share", "Needs raised", "share", "neither",
       "demands raised / latent needs, both over the whole run", per_type=True, section=_A),
    _m("access_hours_mean", "Expected access hours", "hours", "lower",
       "a resident's expected hours of trips and counter service for an item at the counter "
       "(offline; `sim/rules/access.py`), averaged over latent needs: the reason recorded "
       "demand differs between structures", per_type=True, section=_A),
]
# fmt: on

METRICS: dict[str, Metric] = {
    m.name: m for m in _CORE + _CONSULTATION + _BURDEN + _EVALUATION + _MARKET + _ACCESS
}
