"""The classroom app: levers students argue about, a live comparison and a picture of one day.

A class sits in front of one district and moves the levers of a reform — street offices kept
or abolished, a street public service center (居政剥离) with pooled windows (全街通办), the
tasks, plaques and assessments departments push down (条块下派), the access gate (准入),
online handling, community staff, consultation (三级六步) — and sees the baseline and the
reform side by side, run live on common random numbers, with a picture of one simulated day.

The model side is plain Python, testable without a browser: `levers` and `places` describe
the levers and the shipped reforms at classroom size, `settings` turns lever values into
scenarios, `export` writes them as a scenario file, `runner` runs the comparison, `reading`
says what it found, `trace` and `day` draw one day from a replication's event records. The
page (`page`, Solara) and its server (`serve`) sit on top. Nothing here is imported by
``import sim``: the app is a top layer, like the command line.
"""
