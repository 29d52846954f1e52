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
    "satisfaction_mean",
]
