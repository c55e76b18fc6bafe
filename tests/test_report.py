"""The HTML report: self-contained, complete, and rendered by a real headless browser.

The browser test loads the report in Chromium (Debian's ``chromium`` and
``chromium-driver``, installed here if missing) through Selenium and checks
that every image loaded, nothing was fetched from outside the page and the
console shows no error; it keeps a screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from sim.output import plotting as P
from sim.cli import main
from sim.output.plotting.style import fmt_time
from sim.output.report import build_report

from .test_plotting import _sweep_file, check_png, short_scenario

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
INSTALL = (
    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
    "apt-get install -y -qq chromium chromium-driver"
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    out = root / "run"
    assert main(["run", str(short_scenario(root)), "--out", str(out), "-q", "-j", "1"]) == 0
    assert main(["report", str(out), "-q"]) == 0
    return out


def _images(text: str) -> list[str]:
    return re.findall(r'<img src="([^"]*)"', text)


def test_report_is_one_self_contained_file(run_dir):
    text = (run_dir / "report.html").read_text()
    srcs = _images(text)
    assert len(srcs) == len(P.RUN_KINDS)
    for src in srcs:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    # nothing to fetch: no external scripts, styles, fonts or links to load
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "url(" not in text and "<script" not in text and "@import" not in text


def test_report_holds_summary_metrics_figures_and_scenario(run_dir):
    text = (run_dir / "report.html").read_text()
    for needle in (
        "Scenario baseline",
        "Key metrics",
        "95% CI",
        "Response time, p90",
        "Verification rate",
        "Delays",
        "Outcomes",
        "The scenario as run",
        "horizon: 6d",
        "Desk load by shift",
        "By reporting party and by desk",
        "What became of the incidents",
    ):
        assert needle in text, needle
    for kind in P.RUN_KINDS:
        assert f'id="fig-{kind}"' in text, kind
    # a CI cell looks like "[lo, hi]"
    assert re.search(r"<td>\[[^\]]+, [^\]]+\]</td>", text)


def test_report_is_reproducible(run_dir):
    assert build_report(run_dir) == (run_dir / "report.html").read_text()


def test_reports_of_comparisons_sweeps_and_searches(tmp_path):
    a = short_scenario(tmp_path, "baseline.yaml")
    b = short_scenario(tmp_path, "forward_based_teams.yaml")
    cmp_ = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), "-n", "2", "--out", str(cmp_), "-q", "-j", "1"]) == 0
    assert main(["report", str(cmp_), "--out", str(tmp_path / "c.html"), "-q"]) == 0
    text = (tmp_path / "c.html").read_text()
    assert "Comparison: baseline vs forward_based_teams" in text
    assert "Δ forward_based_teams" in text and "--tables" in text
    assert len(_images(text)) == 3  # metrics, differences, outcomes: no tables were kept

    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        f"name: s\nbase: {a.name}\nreplications: 2\n"
        'grid:\n  "teams.speed_kmh": [30, 60]\n  "center.desks.US.shifts[2].officers": [1, 2]\n'
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "sw"), "-q", "-j", "1"]) == 0
    assert main(["report", str(tmp_path / "sw"), "-q"]) == 0
    text = (tmp_path / "sw" / "report.html").read_text()
    assert "Sweep s" in text and len(_images(text)) == 3  # sweep, heatmap, outcomes


def test_the_run_report_has_every_shift_and_the_share_of_each_delay_measured(run_dir):
    text = build_report(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    shifts = re.search(r'<h3 id="shifts">.*?</table>', text, re.S).group(0)
    for desk, d in summary["desks"].items():
        assert d["by_shift"], desk
        for sh in d["by_shift"]:
            util = f"{100 * sh['utilisation']['mean']:.1f}%"
            assert re.search(
                rf"<td>{desk}</td><td>{re.escape(sh['shift'])}[^<]*</td><td>[\d.]+</td><td>{util}",
                shifts,
            ), (desk, sh["shift"], util)
    delays = re.search(r'<h2 id="delays">.*?</table>', text, re.S).group(0)
    for key, d in summary["delays"].items():
        assert f"<td>{100 * d['measured_share']:.1f}%</td>" in delays, key
        for stat in d["lower_bound"]:
            assert "≥ " in delays, (key, stat)
    for key, d in summary["party_delays"].items():
        assert f"{d['n']:,}" in text, key


@pytest.fixture(scope="module")
def outcome_moves(tmp_path_factory):
    """A comparison and a sweep in which teams are asked to fewer incidents (a higher
    minimum severity): the share kept out of the response times rises."""
    root = tmp_path_factory.mktemp("moves")
    a = short_scenario(root, stem="baseline")
    b = short_scenario(root, extra="name: strict\nteams: {min_severity: 3}\n", stem="strict")
    cmp_ = root / "cmp"
    args = ["compare", str(a), str(b), "-n", "4", "--out", str(cmp_), "-q", "-j", "1"]
    assert main(args) == 0
    sweep = _sweep_file(root, 'grid:\n  "teams.min_severity": [2, 3]\n', "sev", replications=4)
    assert main(["sweep", str(sweep), "--out", str(root / "sw"), "-q", "-j", "1"]) == 0
    return cmp_, root / "sw"


def test_the_comparison_report_shows_every_warning_and_the_outcome_table(outcome_moves):
    cmp_, _ = outcome_moves
    meta = json.loads((cmp_ / "comparison.json").read_text())
    assert meta["warnings"], "the stricter severity should move the outcome mix"
    text = build_report(cmp_)
    box = re.search(r'<div class="warn".*?</div>', text, re.S).group(0)
    for w in meta["warnings"]:
        assert f"<li>{html.escape(w)}</li>" in box, w
    assert text.index('class="warn"') < text.index('id="metrics"')  # before the tables
    table = re.search(r'<h2 id="outcomes">.*?</table>', text, re.S).group(0)
    for name, per in meta["counts"].items():
        verified = sum(c["incidents"]["verified"] for c in per)
        below = sum(c["incident_reasons"]["below_min_severity"] for c in per)
        assert f"({verified:,})" in table and f"({below:,})" in table, name
    row = next(
        r
        for r in meta["rows"]
        if r["metric"] == "incidents_below_min_severity" and r["configuration"] == "strict"
    )
    assert row["significant"]
    assert f'<span class="sig">{100 * row["diff_mean"]:+.1f} pt' in table


def test_the_sweep_report_shows_its_warnings(outcome_moves):
    _, sw = outcome_moves
    meta = json.loads((sw / "sweep.json").read_text())
    assert meta["warnings"]
    text = build_report(sw)
    for w in meta["warnings"]:
        assert f"<li>{html.escape(w)}</li>" in text, w


def test_the_search_report_gives_bounds_and_the_confirmation(tmp_path):
    opt = _sweep_file(
        tmp_path,
        "constraints:\n  response_p90: {max: 72h}\n  verification_rate: {min: 0.1}\n"
        'grid:\n  "teams.bases[1].count": [1, 3]\n',
        "least",
        replications=3,
    )
    out = tmp_path / "opt"
    assert main(["optimize", str(opt), "--out", str(out), "-q", "-j", "1"]) in (0, 1)
    meta = json.loads((out / "frontier.json").read_text())
    text = build_report(out)
    assert "one-sided bound" in text and "Bonferroni" in text
    for r in meta["rows"]:
        bound = fmt_time(r["response_p90_bound"])  # as every time in the report
        assert f"<td>{bound} {'✓' if r['response_p90_ok'] else '✗'}</td>" in text, r["point"]
    assert meta["best"] is not None or meta["not_confirmed"], "nothing was confirmed"
    assert "Confirmation on fresh replications" in text
    if meta["best"]:
        assert f"Confirmed on {meta['replications']} fresh replications" in text
    for r in meta["not_confirmed"]:
        assert f"Point {r['point']}: " in text


def _cells(text: str) -> list[str]:
    return re.findall(r"<td>(\[[^\]]+, [^\]]+\])</td>", text)


def test_intervals_in_the_report_are_cut_to_the_possible_range(run_dir):
    text = (run_dir / "report.html").read_text()
    assert "cut to the possible range" in text and "keep the raw Student-t interval" in text
    cells = _cells(text)
    assert cells
    for cell in cells:
        assert "[-" not in cell, cell  # no time or share below zero
        for pct in re.findall(r"([\d.]+)%", cell):
            assert float(pct) <= 100.0, cell


def test_the_report_of_a_run_without_teams_explains_the_missing_breakdown(tmp_path):
    scen = short_scenario(tmp_path, extra="teams: {enabled: false}\n")
    out = tmp_path / "run"
    assert main(["run", str(scen), "--out", str(out), "-q", "-j", "1"]) == 0
    text = build_report(out)
    assert len(_images(text)) == len(P.RUN_KINDS) - 1
    assert 'id="fig-breakdown"' not in text
    assert "No breakdown of response times: no incident asked for a team" in text


# --------------------------------------------------------------------------- a real browser


def _chromium() -> tuple[str, str]:
    """Paths of Chromium and its driver, installing Debian's packages if missing."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        done = subprocess.run(INSTALL, shell=True, capture_output=True, text=True, timeout=900)
        browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
        if browser is None or driver is None:
            pytest.fail(
                "the report test needs Chromium and chromedriver, and installing them failed "
                f"({INSTALL!r} exited {done.returncode}: {done.stderr.strip()[-400:]}); "
                "install the Debian packages chromium and chromium-driver"
            )
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("the report test needs selenium: pip install -e '.[test]'")
    chromium, chromedriver = _chromium()
    profile = tempfile.mkdtemp(prefix="cfsim-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.add_argument("--window-size=1280,1000")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)
    drv.set_page_load_timeout(30)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_report_renders_in_a_headless_browser(run_dir, browser):
    browser.get((run_dir / "report.html").resolve().as_uri())
    state = browser.execute_script(
        """
        const imgs = Array.from(document.images);
        return {
          ready: document.readyState,
          title: document.title,
          images: imgs.length,
          loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
          widths: imgs.map(i => i.naturalWidth),
          shown: imgs.filter(i => i.getBoundingClientRect().width > 500).length,
          fetched: performance.getEntriesByType('resource').map(e => e.name),
          tables: document.querySelectorAll('table').length,
          height: document.documentElement.scrollHeight,
        };
        """
    )
    assert state["ready"] == "complete" and state["title"] == "Scenario baseline"
    assert state["images"] == len(P.RUN_KINDS)
    assert state["loaded"] == state["images"], state["widths"]
    assert state["shown"] == state["images"]
    assert all(w >= 900 for w in state["widths"])
    assert [u for u in state["fetched"] if not u.startswith("data:")] == []
    assert state["tables"] >= 4
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    browser.set_window_size(1280, min(int(state["height"]) + 100, 16000))
    shot = ARTIFACTS / "report.png"
    browser.save_screenshot(str(shot))
    with Image.open(shot) as im:
        im.load()
        assert im.size[0] >= 1000 and im.size[1] >= 3000, im.size


def test_figures_of_the_report_are_valid_images(run_dir, tmp_path):
    text = (run_dir / "report.html").read_text()
    for k, src in enumerate(_images(text)):
        p = tmp_path / f"{k}.png"
        p.write_bytes(base64.b64decode(src.split(",", 1)[1]))
        check_png(p)
