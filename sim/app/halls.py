"""Two more places, both about halls where residents queue: Daoli and Xicheng.

Daoli district (Harbin) had its 72 items of 6 systems handled community → street → community
until a community-affairs acceptance center took them in 2018, 39 completed on the spot and
the rest accepted and forwarded to a back office (收受分离, public report). Here it is laid
over the teaching district's size (one street, two communities of 1,500). Xicheng (Beijing)
received 31 departments' items at item-specific windows of its district hall until the 2018
one-window reform pooled them (综合窗口, public report); here it is the shipped hall over one
working week (its queues build within a day).
"""

from __future__ import annotations

from sim.app.levers import Figure, Lever, Option
from sim.app.places import CLASSROOM, PEOPLE_MOVE, TEACHING_LEVERS, Place, Preset

TEACHING_SIZE = {
    "days": Figure(56, "assumption: classroom size, eight weeks as teaching.toml"),
    "structure.streets": Figure(1, CLASSROOM),
    "structure.communities": Figure(2, CLASSROOM),
    "structure.residents_per_community": Figure(1500, CLASSROOM),
    "structure.grids_per_community": Figure(2, CLASSROOM),
}
STAFF = next(lv for lv in TEACHING_LEVERS if lv.name == "community_staff")

DAOLI = Place(
    name="daoli",
    label="Daoli (Harbin) before its 2018 acceptance center, at the teaching district's size",
    story="Daoli's catalogue of 72 items of 6 systems plus the community's own items, going "
    "community → street (→ district department) → community, in one street of two communities "
    "of 1,500 residents for eight weeks (public report; daoli_before.toml).",
    layers=("teaching.toml", "daoli_before.toml"),
    keys=TEACHING_SIZE,
    full_layers=("daoli_before.toml",),
    levers=(
        Lever(
            "structure", "Street tier (街道)", "choice", "two_tier",
            help="Keep two-level flow, or open a community-affairs acceptance center that "
            "completes 39 items on the spot and forwards the rest (收受分离).",
            options=(
                Option("two_tier", "Street office kept: two-level flow (街居两级流转)"),
                Option(
                    "center", "Acceptance center (Daoli 2018)", layers=("daoli_center.toml",),
                    keys={"units.street_office.servers": Figure(
                        1, "assumption: classroom size: the teaching street's one clerk stays")},
                    counts={
                        "center_windows": Figure(2, "assumption: classroom size: one worker "
                                                 f"from each of the two communities {PEOPLE_MOVE}"),
                        "community_staff": Figure(5, "assumption: classroom size: one of the six "
                                                  f"workers moves to the center {PEOPLE_MOVE}"),
                    },
                ),
            ),
        ),
        Lever("center_windows", "Acceptance center windows (窗口)", "int", 2,
              keys=("units.acceptance_center.servers",), low=1, high=8, count=True,
              when=("structure", ("center",)),
              help="Windows of the acceptance center, each staffed by one worker."),
        STAFF,
    ),
    presets=(
        Preset("daoli_center", "Daoli 2018: community-affairs acceptance center",
               {"structure": "center", "center_windows": 2, "community_staff": 5},
               "72 items at one center: 39 on the spot, the rest accepted and forwarded "
               "(public report)."),
    ),
)  # fmt: skip

XICHENG = Place(
    name="xicheng",
    label="Xicheng (Beijing) district hall before its 2018 one-window reform, one week",
    story="A district hall receiving 8 groups of departments' items at 20 item-specific "
    "windows, about 350 residents a working day (public report; xicheng_before.toml), over "
    "one working week after a day of warm-up.",
    layers=("xicheng_before.toml",),
    keys={
        "days": Figure(8, "assumption: classroom size: a day of warm-up and a working week "
                       "(the hall's queues build within a day)"),
        "warmup_days": Figure(1, "assumption: classroom size: the hall's queues build within "
                              "the first day"),
    },
    full_layers=("xicheng_before.toml",),
    levers=(
        Lever("pooled", "One window for every item (综合窗口)", "bool", False,
              layers=("xicheng_one_window.toml",),
              help="The same 20 windows and clerks, pooled: any window handles any "
              "department's item."),
    ),
    presets=(
        Preset("xicheng_one_window", "Xicheng 2018: one window for every item (综合窗口)",
               {"pooled": True}, "The hall's windows pooled (public report)."),
    ),
)  # fmt: skip
