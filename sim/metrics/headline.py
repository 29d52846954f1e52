"""The headline metrics: what ``govsim run`` prints and ``--precision`` watches."""

HEADLINE = [
    "resolution_days_mean",
    "resolution_days_p90",
    "wait_minutes_mean",
    "trips_per_demand_mean",
    "handoffs_per_demand_mean",
    "resolved_share",
    "staff_hours_share_tasks",
    "staff_hours_share_service",
    "staff_hours_share_self_governance",
    "cost_yuan_per_demand",
    "handling_yuan_per_demand",
    "satisfaction_mean",
]

# the conservation table (levels with staff are filled in from the run)
CONSERVATION = [
    "residents_total",
    "staff_count_community",
    "staff_count_street",
    "staff_count_district",
    "staff_count_department",
    "staff_count_total",
    "demands_per_year",
    "demands_per_year_community",
    "demands_per_year_street",
    "demands_per_year_district",
    "demands_per_year_online",
    "topdown_work_hours_per_year",
]
