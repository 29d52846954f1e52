"""One frame of the day drawn as a picture (SVG text): offices side by side, level by level.

Like NetLogo's view, the district is drawn as places with people in them: each office is a
box with its staff as squares (coloured by what each is doing: residents, files, tasks
pushed down, meetings, free), the residents queueing as dots, the one at each window beside
it, files in the tray as small sheets; arrows between the levels carry the files in transit
(community → street → department and back); the clock and counts run along the bottom. A
pure function of a `Frame`: the page shows it, a test reads it.
"""

from __future__ import annotations

from html import escape

from sim.app.day import LEVELS
from sim.app.frame import Frame, Spot

COLOURS = {
    "residents": "#1f77b4",
    "files": "#17becf",
    "tasks": "#d62728",
    "meetings": "#9467bd",
    "free": "#d9d9d9",
}
LEGEND = {
    "residents": "serving a resident",
    "files": "on a file",
    "tasks": "on a task pushed down",
    "meetings": "in a meeting",
    "free": "free (self-governance time)",
}
WIDTH, BOX_W, GAP, PER_ROW = 960, 200, 40, 10


def frame_svg(frame: Frame, title: str = "") -> str:
    """The SVG picture of one frame."""
    levels = [lv for lv in LEVELS if any(s.level == lv for s in frame.spots)]
    col = {lv: i for i, lv in enumerate(levels)}
    x0 = {lv: 20 + i * (BOX_W + GAP) for i, lv in enumerate(levels)}
    y = dict.fromkeys(levels, 50.0)
    body = []
    for spot in frame.spots:
        h = _height(spot)
        body.append(_box(spot, x0[spot.level], y[spot.level], h))
        y[spot.level] += h + 12
    height = max([*y.values(), 260.0]) + 70
    for n, (pair, count) in enumerate(sorted(frame.transit.items())):
        a, _, b = pair.partition(" → ")
        if a in col and b in col:
            body.append(_arrow(x0, a, b, 30 + 16 * n, count))
    head = [
        f'<text x="20" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
        *(
            f'<text x="{x0[lv]}" y="42" font-size="12" fill="#555">{escape(lv.title())}</text>'
            for lv in levels
        ),
    ]
    foot = _footer(frame, height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height + 40:.0f}" '
        f'viewBox="0 0 {WIDTH} {height + 40:.0f}" font-family="sans-serif" class="day-svg">'
        + "".join(head + body + foot)
        + "</svg>"
    )


def _height(spot: Spot) -> float:
    rows = max(1, -(-max(spot.servers, 1) // PER_ROW))
    people = 1 if spot.queueing or spot.at_counter else 0
    return 46 + 16 * rows + 16 * people + (14 if spot.files_waiting or spot.files_in_work else 0)


def _box(spot: Spot, x: float, y: float, h: float) -> str:
    out = [
        f'<g class="spot" data-spot="{escape(spot.key)}">',
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{h}" rx="6" fill="#fafafa" '
        'stroke="#999"/>',
        f'<text x="{x + 6}" y="{y + 15}" font-size="12">{escape(spot.label)}</text>',
    ]
    kinds = [k for k in COLOURS for _ in range(spot.staff[k])]
    cy = y + 24
    for n in range(max(spot.servers, 0)):
        kind = kinds[n] if n < len(kinds) else None
        fill = COLOURS[kind] if kind else "#ffffff"
        cx = x + 6 + (n % PER_ROW) * 18
        row = cy + (n // PER_ROW) * 16
        out.append(f'<rect x="{cx}" y="{row}" width="13" height="13" fill="{fill}" stroke="#666"/>')
    cy += 16 * max(1, -(-max(spot.servers, 1) // PER_ROW)) + 4
    if spot.queueing or spot.at_counter:
        for n, _ in enumerate(spot.at_counter[:4]):
            out.append(f'<circle cx="{x + 10 + n * 12}" cy="{cy + 6}" r="5" fill="#ff7f0e"/>')
        shown = spot.queueing[:9]
        for n, who in enumerate(shown):
            out.append(
                f'<circle cx="{x + 70 + n * 12}" cy="{cy + 6}" r="5" fill="#2ca02c">'
                f"<title>{escape(who.item)}, {escape(who.age_band)}</title></circle>"
            )
        if len(spot.queueing) > len(shown):
            more = len(spot.queueing) - len(shown)
            out.append(f'<text x="{x + 176}" y="{cy + 10}" font-size="11">+{more}</text>')
        cy += 16
    if spot.files_waiting or spot.files_in_work:
        out.append(
            f'<text x="{x + 6}" y="{cy + 10}" font-size="11">files: {spot.files_waiting} '
            f"in tray, {spot.files_in_work} in hand</text>"
        )
        cy += 14
    text = f"{len(spot.queueing)} queueing, {len(spot.at_counter)} at a window"
    if spot.tasks_waiting:
        text += f", {spot.tasks_waiting} tasks on the desk"
    out.append(f'<text x="{x + 6}" y="{y + h - 7}" font-size="11" fill="#333">{text}</text>')
    out.append("</g>")
    return "".join(out)


def _arrow(x0: dict[str, float], a: str, b: str, y: float, count: int) -> str:
    left, right = sorted((x0[a], x0[b]))
    xa, xb = (left + BOX_W, right) if x0[a] < x0[b] else (right, left + BOX_W)
    if x0[a] == x0[b]:
        xa, xb = x0[a] + BOX_W - 40, x0[a] + BOX_W - 4
    return (
        f'<g class="transit"><line x1="{xa}" y1="{y}" x2="{xb}" y2="{y}" stroke="#8c564b" '
        f'stroke-width="2" marker-end="url(#head)"/>'
        f'<text x="{(xa + xb) / 2 - 30}" y="{y - 3}" font-size="11" fill="#8c564b">'
        f"{count} file{'s' if count != 1 else ''} {escape(a)}→{escape(b)}</text></g>"
    )


def _footer(frame: Frame, height: float) -> list[str]:
    s = frame.states
    line = (
        f"{frame.in_system} matters open · {frame.arrived} arrived today · {frame.ended} ended "
        f"today · {s['transit']} files in transit · {s['away']} residents at home until they "
        f"come back · {s['statutory']} in publicity (公示)"
    )
    legend = "".join(
        f'<rect x="{20 + i * 185}" y="{height + 22}" width="11" height="11" fill="{c}" '
        f'stroke="#666"/><text x="{35 + i * 185}" y="{height + 32}" font-size="11">'
        f"{escape(LEGEND[k])}</text>"
        for i, (k, c) in enumerate(COLOURS.items())
    )
    return [
        '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="6" refY="3" '
        'orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="#8c564b"/></marker></defs>',
        f'<text x="20" y="{height - 22}" font-size="22" font-weight="bold" class="day-clock">'
        f"{escape(frame.clock)}</text>",
        f'<text x="110" y="{height - 26}" font-size="12">{escape(line)}</text>',
        f'<text x="110" y="{height - 10}" font-size="11" fill="#555">orange: at a window · '
        "green: queueing (hover for the item and age)</text>",
        legend,
    ]
