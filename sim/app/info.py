"""The app's Info page, in NetLogo's shape, with a glossary of the Chinese terms and the
sources: what a teacher reads before class and a student after.
"""

from __future__ import annotations

INFO = """
## WHAT IS IT?

A simulator of how Chinese cities reform the governance of their communities (社区治理改革).
A district's functional departments (职能部门) stand over street offices (街道办事处), which
stand over communities (社区), each divided into grids (网格). Residents bring their needs
to the community: approvals and certificates, personal needs such as elderly care, disputes,
major matters. Departments push tasks, plaques and assessments down onto the communities
(条块下派). Reforms change who does what and where: abolish the street offices, move
approvals to a one-stop street center, cut the burden, put items online, hold consultations.
This page runs a district before a reform (the **baseline**) and after it (the **reform**)
on the same residents with the same needs, and shows the difference.

## HOW IT WORKS

Every resident's need is one *demand* that follows a *flow* through offices: at a counter
with the resident present, or as a file in a back office, carried between levels by a
courier on fixed days. Each office is a queue with a number of staff; community staff also
work through the tasks departments push down, and what time is left is their time for
self-governance (居民自治). A replication is one run of the district over the horizon with
its own random draws; the page runs a handful of replications of each arm with the same
draws (common random numbers), so the difference between the arms is the reform's and not
luck's, and shows 95% intervals. The model is described in full in `docs/model.md` (ODD
protocol); every figure in a scenario file names its source or says it is an assumption.

## HOW TO USE IT

1. Choose a **place** (the teaching district, Daoli, Xicheng) and a **reform** (a shipped
   reform at classroom size) — or start from the baseline and move the levers yourself.
2. Move a **lever**: the comparison reruns at once. The **Compare** tab shows the reading,
   the figure and the tables (days by item class, trips, waits, staff time, cost), each with
   the baseline's and the reform's means, their 95% intervals, the difference and a verdict.
3. Open **One day** and press ▶: one working day of the first replication, every ten
   minutes. Squares are staff (blue: a resident, cyan: a file, red: a task pushed down,
   grey: free), green dots residents queueing, orange dots residents at a window; arrows
   carry files between levels. Switch between the baseline and the reform, pick another day.
4. **Export** the settings as scenario files and rerun them with more replications or at
   full size: `govsim compare <baseline file> <reform file> --replications 10`.

## THINGS TO NOTICE

* The reform that shortens residents' days (the street center) can lengthen the community
  staff's day: fewer staff stay behind with the same tasks.
* Cutting tasks frees staff time but barely moves residents' days: in the teaching district
  the counter was never the bottleneck — files waited behind the tasks.
* Pooled windows (全街通办) matter when windows are busy (Xicheng's hall), little when idle.
* An interval that holds zero means *no clear change with this many replications*, not
  *no change*.

## THINGS TO TRY

* Give the center one window, then two: where does the queue go?
* Split the center's windows by department (switch off 全街通办). Then try Xicheng.
* Cut tasks to 145 with departments pushing work back over a year; then add the access gate.
* Abolish the street offices and lower the community staff until residents wait.
* Switch consultation on: where does the staff time come from?

## EXTENDING THE MODEL

A new reform is a small file laid over a place (`docs/tutorial.md`): `extends` plus the keys
it changes, each with its source. Export from here to start one. New levers are a few lines
in `sim/app/places.py`; new behaviour is a named rule in `sim/rules/` with its tests.

## CREDITS AND REFERENCES

govsim, built on SimPy; the page on Solara. The founding articles (full details in
`docs/sources.md`): **000/001** 铜官山:政府与社区的良性互动 (Tongguanshan, 《决策》, 2014);
**002** 基层社区治理的"香坊做法" (Xiangfang, 中国民政, 2018, no. 13); **003**
社区协商的实践探索与思考 (Shazitang consultation, 科技资讯, 2020, no. 28); **004**
探索铜陵社区治理工作的对策 (Tongling, 2014). Public reports on Daoli (Harbin) and Xicheng
(Beijing) as cited in the scenario files.
"""

GLOSSARY = [
    ("街道办事处", "jiēdào bànshìchù", "street office: the district's dispatched agency over "
     "several communities"),
    ("社区", "shèqū", "community: a residents' committee (居委会, self-governing by law), its "
     "party organisation and its service station, with a few to dozens of staff"),
    ("网格", "wǎnggé", "grid: the unit below the community, a few hundred households, with a "
     "grid leader who handles simple matters on the spot"),
    ("居政剥离", "jū zhèng bōlí", "separating administration from the community: "
     "administrative items move from communities to a street center (Xiangfang 2017)"),
    ("全街通办", "quán jiē tōng bàn", "any window of the street center handles any item of the "
     "street: pooled windows"),
    ("三减一加强", "sān jiǎn yī jiāqiáng", "three cuts, one strengthening: cut tasks, plaques "
     "and assessments, strengthen the community party committee (Tongling 2014)"),
    ("准入", "zhǔnrù", "access gate: a new task for communities needs the reform group's "
     "approval (004)"),
    ("费随事转", "fèi suí shì zhuǎn", "funds follow the task: a department sends money with "
     "the work it assigns (004)"),
    ("三级六步", "sān jí liù bù", "three levels, six steps: grid deliberation, linkage "
     "consultation, hearing; set, review, publicise, consult, file, publish (Shazitang, 003)"),
    ("条块下派", "tiáo kuài xiàpài", "tasks pushed down to communities by departments"),
    ("人随事走", "rén suí shì zǒu", "people follow the work: staff move with the items"),
    ("公示", "gōngshì", "publicity: a decision posted for a statutory period before it takes "
     "effect"),
]  # fmt: skip


SOURCES = """
**The founding articles** (cited by number in every scenario file; `docs/sources.md` gives
what the model takes from each):

* **000** 铜官山:政府与社区的良性互动 — *Tongguanshan: a virtuous interaction between
  government and community*, 《决策》 magazine (a 2017 repost of 001).
* **001** the same title, 《决策》, 2014: Tongguanshan (Tongling) after abolishing its street
  offices in 2010; the 2014 burden cuts (三减一加强).
* **002** 基层社区治理的"香坊做法" — *The "Xiangfang approach" to grassroots community
  governance*, 中国民政 (*China Civil Affairs*), 2018 no. 13, Zhu Baojun and Wang Xiaodong.
* **003** 社区协商的实践探索与思考 — *Community consultation: practical exploration and
  reflections*, 科技资讯, 2020 no. 28, Mo Ran (Shazitang street, Changsha).
* **004** 探索铜陵社区治理工作的对策 — *Measures for exploring community governance in
  Tongling*, 2014 (the access gate, funds following tasks, two-way evaluation).

**Public reports** (cited as `public report: …` with the fact): Tongguanshan's 2010 reform
(6 streets, 49 stations into 18 communities, 7–12 staff to about 40); about 6 community
workers per community nationally (2020); Daoli's 2018 acceptance center (72 items, 39 on
the spot); Xicheng's 2018 one-window reform (31 departments, about 15 minutes' wait before).
Every figure the app sets names its source too: the lever's own, or *assumption: set in the
classroom app*.
"""


def glossary_markdown() -> str:
    """The glossary as a Markdown table."""
    rows = ["| term | pinyin | meaning |", "|---|---|---|"]
    rows += [f"| {t} | {p} | {m} |" for t, p, m in GLOSSARY]
    return "\n".join(rows)


def page_markdown() -> str:
    """The Info page, the glossary and the sources as one Markdown page (docs/classroom.md),
    for a teacher to read without starting the app."""
    return "\n\n".join(
        [
            "# In the classroom: the Info page of `govsim app`",
            "<!-- generated by python -m sim.app.info docs/classroom.md (edit sim/app/info.py) -->",
            "Start the page with `pip install -e \".[app]\" && govsim app` and open "
            "http://localhost:8765. Worksheets for four sessions are in "
            "[`notebooks/worksheets/`](../notebooks/worksheets/).",
            INFO.strip(),
            "## GLOSSARY",
            glossary_markdown(),
            "## SOURCES",
            SOURCES.strip(),
        ]
    ) + "\n"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    Path(sys.argv[1]).write_text(page_markdown(), encoding="utf-8")
