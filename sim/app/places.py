"""The places a class can reform, at classroom size, and the shipped reforms as presets.

A `Place` is a district before its reform, laid out from shipped scenario files and shrunk to
classroom size so that a replication takes a fraction of a second: the teaching district
(Tongguanshan's two tiers, one street of two communities), Daoli (Harbin) before its 2018
acceptance center with the teaching district's size, and Xicheng's (Beijing) district hall
before its 2018 one-window reform over one working week. A `Preset` sets the levers as a
shipped reform file does, with the head counts that reform implies at classroom size (the
ratios of notebooks 01 and 02: people follow the work, 人随事走).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.app import derive
from sim.app.levers import Figure, Lever, Option, Value

CLASSROOM = "assumption: classroom size, as teaching.toml"


@dataclass(frozen=True)
class Preset:
    """A shipped reform as lever values (levers not named keep the place's value)."""

    name: str
    label: str
    values: Mapping[str, Value]
    story: str = ""


@dataclass(frozen=True)
class Place:
    """A district before reform, at classroom size.

    Attributes
    ----------
    name, label, story : str
        Identifier, name on the page, and what the place is.
    layers : tuple of str
        Scenario files (under ``scenarios/``) laid in order to make the place.
    keys : mapping
        Keys set on top at classroom size, with their sources.
    full_layers : tuple of str
        The place at full size (what an export for a full-size rerun extends).
    levers, presets : tuples
        The levers a class may move here, and the shipped reforms.
    """

    name: str
    label: str
    story: str
    layers: tuple[str, ...]
    levers: tuple[Lever, ...]
    presets: tuple[Preset, ...]
    keys: Mapping[str, Figure] = field(default_factory=dict)
    full_layers: tuple[str, ...] = ()

    def lever(self, name: str) -> Lever:
        """The lever called `name`."""
        for lv in self.levers:
            if lv.name == name:
                return lv
        raise KeyError(f"{self.name} has no lever {name!r}")

    def preset(self, name: str) -> Preset:
        """The preset called `name`."""
        for p in self.presets:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no preset {name!r}")

    def defaults(self) -> dict[str, Value]:
        """Every lever at the place's own value: the baseline."""
        return {lv.name: lv.default for lv in self.levers}

    def preset_values(self, name: str) -> dict[str, Value]:
        """Every lever's value under preset `name`."""
        return {**self.defaults(), **self.preset(name).values}


PEOPLE_MOVE = "(002: people follow the work, 人随事走)"
ABOLISHED_KEYS = {
    "structure.communities": Figure(
        1, "assumption: classroom size: the teaching street's two communities merged into one "
        "(001: 49 community work stations merged into 18 communities)"),
    "structure.residents_per_community": Figure(
        3000, "assumption: classroom size: the two communities' 1,500 residents each"),
    "structure.grids_per_community": Figure(
        4, "assumption: classroom size: the two communities' two grids each"),
    "units.street_office.servers": Figure(
        1, "assumption: classroom size: the teaching street's one clerk takes the approvals "
        "of major matters at the district"),
}  # fmt: skip

STREET_TIER = Lever(
    "structure", "Street tier (街道)", "choice", "two_tier",
    help="Keep the street office, with approvals going community → street → community "
    "(街居两级流转); move the approvals to a one-stop street public service center "
    "(居政剥离); or abolish the street offices and let merged communities do everything "
    "(撤销街道办).",
    options=(
        Option("two_tier", "Street office kept: two-level flow (街居两级流转)"),
        Option(
            "center", "Street public service center (居政剥离, Xiangfang 2017)",
            layers=("xiangfang_center.toml",),
            counts={
                "center_windows": Figure(4, "assumption: classroom size: two workers from "
                                         f"each of the two communities move to the center "
                                         f"{PEOPLE_MOVE}"),
                "community_staff": Figure(4, "assumption: classroom size: six less the two who "
                                          f"moved to the center {PEOPLE_MOVE}"),
            },
        ),
        Option(
            "abolished", "Street offices abolished (撤销街道办, Tongguanshan 2010)",
            layers=("tongguanshan_abolition.toml",), keys=ABOLISHED_KEYS,
            counts={"community_staff": Figure(
                20, "assumption: classroom size: the full-size ratio of community staff after "
                "to before (18 x 40 = 720 against 49 x 9 = 441, public report) applied to the "
                "teaching district's 12")},
        ),
    ),
)  # fmt: skip

CENTER = ("structure", ("center",))
TEACHING_LEVERS = (
    STREET_TIER,
    Lever("center_windows", "Center windows (窗口)", "int", 4,
          keys=("units.street_center.servers",), low=1, high=10, when=CENTER,
          rule=derive.center_windows, count=True,
          help="Windows of the street public service center, each staffed by one worker."),
    Lever("pooled", "Any window handles any item (全街通办)", "bool", True,
          keys=("units.street_center.windows",), when=CENTER,
          help="Pooled windows: any window takes any approval. Off: windows are split by "
          "department (civil affairs, disability federation, family planning)."),
    Lever("online", "Online handling, % of Xiangfang's uptake (互联网+政务服务)", "int", 100,
          keys=("online.adoption",), low=0, high=150, step=25, when=CENTER,
          rule=derive.online_uptake,
          help="Who applies online when an item allows it, by age band: 100% is the Xiangfang "
          "file's uptake (the elderly often need assisted handling, 帮办代办)."),
    Lever("community_staff", "Community staff per community (社区工作者)", "int", 6,
          keys=("units.community_desk.servers",), low=1, high=40, count=True,
          known={6: "public report: about 6 community workers per community nationally (2020)"},
          help="Community workers at each community's desk: they serve residents at the "
          "counter, process files and carry the tasks departments push down."),
    Lever("tasks", "Task items pushed down a year (条块下派)", "int", 280,
          keys=("tasks.per_year",), low=0, high=300, step=5,
          known={280: "001: 280+ task items per community before the 2014 cuts",
                 145: "001: tasks fell by nearly half from 280+"},
          help="Inspections, reports and ledgers departments hand each community a year "
          "(three cuts, one strengthening 三减一加强 cut them to 145)."),
    Lever("plaques", "Plaques per community (挂牌)", "int", 60, keys=("tasks.plaques",),
          low=0, high=60, known={60: "001: 60+ plaques per community",
                                 3: "001: plaques cut from 60+ to 3"},
          help="Each plaque a community hangs brings its records and upkeep."),
    Lever("assessments", "Assessments a year (考核)", "int", 20, keys=("tasks.assessments",),
          low=0, high=20, known={20: "assumption: 001 says 'many' assessments; twenty a year",
                                 2: "001: assessments cut to 2"},
          help="Each assessment costs a week of preparation."),
    Lever("departments", "Departments after a cut (反弹, 准入)", "choice", "steady",
          keys=("burden.latent_per_year",), rule=derive.pushed_back,
          known=dict.fromkeys(("push_back", "gate"), "001: departments still have the work the "
                              "cuts took away (280+ task items less those kept) and push it back"),
          options=(
              Option("steady", "Keep to what is left"),
              Option("push_back", "Push the work back (反弹)",
                     layers=("tongling_rebound_5y.toml",)),
              Option("gate", "Met by an access gate, funds follow tasks (准入, 费随事转)",
                     layers=("tongling_gate_5y.toml",)),
          ),
          help="After a cut, departments still have the work: they push it back as habit "
          "grows, unless a gate turns unfunded tasks away. It builds over years: choose a year."),
    Lever("consultation", "Three-level, six-step consultation (三级六步)", "bool", False,
          layers=("parts/consultation_003.toml",),
          help="Residents' matters settled at grid deliberations, linkage consultations and "
          "hearings, as Shazitang street practises it (003); staff time goes to meetings."),
    Lever("horizon", "Days simulated", "choice", "56", keys=("days",), both_arms=True,
          full_size=False,
          rule=lambda v, values, base: {"days": int(v)},
          known={"56": "assumption: eight weeks is enough to see queues and task backlogs",
                 "365": "assumption: one budget year"},
          options=(Option("56", "Eight weeks (live)"), Option("365", "One year (slower)")),
          help="Both arms run this long; the first week is warm-up and not counted."),
)  # fmt: skip

CUTS = {"tasks": 145, "plaques": 3, "assessments": 2}
XIANGFANG = {"structure": "center", "center_windows": 4, "pooled": True, "online": 100,
             "community_staff": 4}  # fmt: skip
TEACHING = Place(
    name="teaching",
    label="Teaching district: Tongguanshan's two tiers, one street of two communities",
    story="The two-tier baseline (district – street office 街道办事处 – community 社区) at "
    "classroom size: one street, two communities of 1,500 residents with six workers each, "
    "eight weeks. Departments push 280 task items, 60 plaques and 20 assessments a year onto "
    "each community (001); approvals go community → street → community (002).",
    layers=("teaching.toml",),
    full_layers=("baseline.toml",),
    levers=TEACHING_LEVERS,
    presets=(
        Preset("xiangfang_center", "Xiangfang 2017: street public service center (居政剥离)",
               XIANGFANG, "33 approvals move to a one-stop street center, any window any item, "
               "online intake, at most one trip (002)."),
        Preset("tongling_burden_cuts", "Tongling 2014: three cuts, one strengthening (三减一加强)",
               CUTS, "Tasks about halved, plaques from 60+ to 3, assessments to 2 (001)."),
        Preset("tongling_gate", "Tongling cuts with push-back and an access gate, one year (准入)",
               {**CUTS, "departments": "gate", "horizon": "365"},
               "Departments push the cut work back; a gate turns unfunded tasks away and funds "
               "follow tasks (001, 004)."),
        Preset("tongguanshan_abolition", "Tongguanshan 2010: street offices abolished (撤销街道办)",
               {"structure": "abolished", "community_staff": 20},
               "The street tier goes; communities merge and get the streets' staff (001)."),
        Preset("shazitang_consultation", "Shazitang: three-level, six-step consultation (三级六步)",
               {"consultation": True},
               "Grid deliberations, linkage consultations, hearings (003)."),
        Preset("xiangfang_and_tongling", "Xiangfang center and Tongling cuts together",
               {**XIANGFANG, **CUTS}, "Both reforms at once."),
    ),
)  # fmt: skip
