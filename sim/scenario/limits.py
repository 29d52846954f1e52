"""What a district can hold: the largest figures a scenario may give, with their reasons.

Bounds at the edge keep a mistyped figure (``days = 10**18``, a rate of ``1e6`` a resident)
from reaching the model, where it would exhaust memory or overflow a calendar instead of
giving an error. Each bound sits far above any real district, so no real scenario meets it.
"""

from __future__ import annotations

MAX_DAYS = 36_500  # a century: longer than any reform's horizon
MAX_REPLICATIONS = 1_000_000  # a million replications is more than any interval needs
MAX_SEED = 2**63 - 1  # numpy's seed sequence takes any such integer
MAX_STREETS = 10_000  # China has about 40,000 street offices and towns in all
MAX_COMMUNITIES = 200_000  # China has about 650,000 communities and villages in all
MAX_RESIDENTS_PER_COMMUNITY = 1_000_000  # the largest communities hold about 100,000
MAX_GRIDS = 10_000  # a grid (网格) holds a few hundred households
MAX_SERVERS = 100_000  # windows or staff of one unit
MAX_HOURS = 87_600.0  # ten years: the longest delay, statutory period or response time
MAX_MINUTES = 525_600.0  # a year: the longest single service
MAX_CV = 100.0  # coefficient of variation of a service time
MAX_RATE = 1_000.0  # matters a resident raises a year: about three a day
MAX_PER_YEAR = 1_000_000.0  # tasks or matters a community receives a year
MAX_YUAN = 1e12  # a trillion yuan: above any district's budget
MAX_NAME = 200  # characters of a scenario's name (it names result folders)
MAX_TEXT = 5_000  # characters of a description
MAX_DEMANDS = 200_000_000  # expected demands of one replication: a city of 10 million
# residents raises about 4 million a year; more would not fit in memory
MAX_TASKS = 100_000_000  # expected task items of one replication
