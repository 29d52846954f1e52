"""The classroom page in a real browser: Debian's Chromium driven by Playwright.

A server (`govsim app`, i.e. ``python -m sim.app.serve``) is started on a free port in a
subprocess; the tests load the page, move a slider, and check that the numbers and the
figure change and that the day's picture plays; they measure page load and the time from a
slider move to updated results, print the figures, and save screenshots as test artifacts
(in pytest's temporary folder, or in ``$GOVSIM_ARTIFACTS`` when set). Without Playwright,
Solara or a Chromium the tests are skipped with the reason, never passed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytest.importorskip("solara", reason="Solara is not installed (pip install '.[app]')")

ROOT = Path(__file__).resolve().parents[1]
PAGE_LOAD_S = 3.0
UPDATE_S = 1.0
STATUS = ".run-status"


def chromium() -> str | None:
    """The system's Chromium (``$GOVSIM_CHROMIUM`` first)."""
    named = os.environ.get("GOVSIM_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (printed at the end of each test that writes one)."""
    named = os.environ.get("GOVSIM_ARTIFACTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("app-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``govsim app`` on a free port, stopped after the module's tests."""
    port = free_port()
    log = tmp_path_factory.mktemp("app-server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim.app.serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the app server did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    exe = chromium()
    if exe is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set GOVSIM_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        b = p.chromium.launch(executable_path=exe, args=args)
        yield b
        b.close()


def run_number(page: object) -> int:
    """The number of the last comparison shown (0 before the first)."""
    text = page.inner_text(STATUS)
    return int(text.split(":")[0].split()[1]) if text.startswith("Run ") else 0


def wait_for_run(page: object, after: int, timeout_s: float = 60) -> int:
    page.wait_for_function(
        "n => { const e = document.querySelector('.run-status');"
        " if (!e || !e.innerText.startsWith('Run ')) return false;"
        " return parseInt(e.innerText.split(':')[0].split(' ')[1]) > n; }",
        arg=after,
        timeout=timeout_s * 1000,
    )
    return run_number(page)


def open_page(browser: object, url: str) -> tuple[object, float, float]:
    """A fresh page: seconds until the levers show and until the first results show."""
    page = browser.new_page(viewport={"width": 1600, "height": 1300})
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".lever-center_windows .v-slider__thumb", timeout=90_000)
    shell = time.perf_counter() - t0
    wait_for_run(page, 0, 90)
    page.wait_for_selector(".compare-figure svg", timeout=30_000)
    return page, shell, time.perf_counter() - t0


def test_page_loads_within_three_seconds(browser: object, server: str, artifacts: Path) -> None:
    """From navigation (a fresh browser context: nothing cached) to the first results on
    screen. The best of three loads is asserted: the machine may be shared, and the fastest
    load is the one least disturbed by others; all are printed."""
    cold, cold_shell, cold_done = open_page(browser, server)  # the server's first visitor
    cold.close()
    loads = []
    for _ in range(3):
        page, shell, done = open_page(browser, server)
        loads.append((shell, done))
        assert "Mean resolution time" in page.inner_text(".reading-box")
        page.screenshot(path=str(artifacts / "page.png"), full_page=True)
        page.close()
    shown = ", ".join(f"{d:.2f} s (levers {s:.2f} s)" for s, d in loads)
    print(
        f"\npage load to first results: {shown}; the server's first visit {cold_done:.2f} s "
        f"(levers {cold_shell:.2f} s); screenshot {artifacts / 'page.png'}"
    )
    assert min(d for _, d in loads) <= PAGE_LOAD_S


def test_a_slider_move_updates_numbers_and_figure_within_a_second(
    browser: object, server: str, artifacts: Path
) -> None:
    page, _, _ = open_page(browser, server)
    before = run_number(page)
    numbers = page.inner_text(".compare-tables")
    figure = page.inner_html(".compare-figure")
    slider = page.locator(".lever-center_windows [role=slider]")  # the reform's center
    assert slider.get_attribute("aria-valuenow") == "4"
    slider.focus()
    timings = []
    for key, expect in (("ArrowLeft", "3"), ("ArrowLeft", "2"), ("ArrowLeft", "1")):
        t0 = time.perf_counter()
        page.keyboard.press(key)
        before = wait_for_run(page, before, 30)
        page.wait_for_function(
            "old => { const f = document.querySelector('.compare-figure');"
            " return f && f.innerHTML !== old; }", arg=figure, timeout=30_000,
        )  # fmt: skip
        timings.append(time.perf_counter() - t0)
        assert slider.get_attribute("aria-valuenow") == expect
        assert page.inner_text(".compare-tables") != numbers
        figure = page.inner_html(".compare-figure")
    page.screenshot(path=str(artifacts / "after_slider.png"), full_page=True)
    print(f"\nslider move to updated numbers and chart: {', '.join(f'{t:.2f} s' for t in timings)}")
    assert sorted(timings)[1] <= UPDATE_S  # the median of three moves
    page.close()


def test_the_day_plays_and_pauses(browser: object, server: str, artifacts: Path) -> None:
    page, _, _ = open_page(browser, server)
    page.get_by_role("tab", name="One day").click()
    page.wait_for_selector(".day-view svg .day-clock", timeout=30_000)
    first = page.text_content(".day-view .day-clock")
    page.click(".day-play")
    page.wait_for_function(
        "c => document.querySelector('.day-view .day-clock').textContent !== c",
        arg=first, timeout=15_000,
    )  # fmt: skip
    time.sleep(1.5)
    later = page.text_content(".day-view .day-clock")
    page.click(".day-play")  # pause
    page.screenshot(path=str(artifacts / "day.png"), full_page=True)
    assert later > first  # e.g. 09:10 after 08:30: the clock runs forward
    time.sleep(1.0)
    paused = page.text_content(".day-view .day-clock")
    time.sleep(1.5)
    assert page.text_content(".day-view .day-clock") == paused
    assert page.locator(".day-view .spot").count() >= 4  # desks, street, departments
    print(f"\nday picture: {first} → {later}, paused at {paused}; {artifacts / 'day.png'}")
    page.close()


def test_info_glossary_and_export(browser: object, server: str, tmp_path: Path) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    import sim

    page, _, _ = open_page(browser, server)
    page.get_by_role("tab", name="Info").click()
    page.wait_for_selector("text=WHAT IS IT?", timeout=30_000)
    text = page.inner_text("body")
    for heading in ("WHAT IS IT?", "HOW IT WORKS", "HOW TO USE IT", "THINGS TO NOTICE",
                    "THINGS TO TRY", "EXTENDING THE MODEL", "CREDITS AND REFERENCES"):  # fmt: skip
        assert heading in text
    page.get_by_role("tab", name="Glossary & sources").click()
    terms = ["街道办事处", "社区", "网格", "居政剥离", "全街通办", "三减一加强", "准入", "费随事转",
             "三级六步"]  # fmt: skip
    # some terms also label the levers, so wait for all of them (the glossary drawn), not one
    try:
        page.wait_for_function(
            "terms => terms.every(t => document.body.innerText.includes(t))",
            arg=terms, timeout=30_000,
        )  # fmt: skip
    except PlaywrightTimeout:  # say which terms are missing, below
        pass
    text = page.inner_text("body")
    missing = [t for t in terms if t not in text]
    assert missing == [], f"glossary terms not on the page: {missing}"
    with page.expect_download() as got:
        page.get_by_text("reform file, classroom size").click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    s = sim.validate(path, strict=True)
    assert s.units["street_center"].servers >= 1
    page.close()
