"""The HTML report in a real browser: axe-core's WCAG 2.2 AA rules in headless Chromium.

The report from a real sample run is opened in Debian's Chromium through playwright-core
(tests/browser/axe_check.mjs), at a desktop width and at a phone width. At each width: no
serious or critical axe violations, no request for anything outside the file (it must be
self-contained), and no sideways scrolling of the page. Full-page screenshots and the axe
results are kept in tests/artefacts/ for review.

The test skips only when Chromium or Node.js is not installed; `make test` runs
scripts/setup.sh first, which installs both and the pinned JavaScript tools (`npm ci`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sample_run import sample_run

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "tests" / "artefacts"
SCRIPT = ROOT / "tests" / "browser" / "axe_check.mjs"
VIEWPORTS = {"desktop": (1280, 900), "phone": (375, 812)}
BLOCKING = {"serious", "critical"}


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def axe():
    chromium, node = _chromium(), shutil.which("node")
    if chromium is None or node is None:
        pytest.skip(f"needs Chromium and Node.js (chromium: {chromium}, node: {node}); scripts/setup.sh installs them")
    missing = [p for p in ("axe-core", "playwright-core") if not (ROOT / "node_modules" / p).is_dir()]
    assert not missing, f"JavaScript test tools {missing} are not installed: run `npm ci` (scripts/setup.sh does)"
    run = sample_run("S")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [node, str(SCRIPT), chromium, str(run.html), str(ARTEFACTS),
         *(f"{name}:{w}x{h}" for name, (w, h) in VIEWPORTS.items())],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, f"the browser check failed to run:\n{done.stderr[-4000:]}"
    result = json.loads(done.stdout)
    (ARTEFACTS / "axe-results.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return {v["name"]: v for v in result["viewports"]}


def _describe(violations) -> str:
    return "\n".join(
        f"- {v['impact']}: {v['id']} ({v['nodes']} elements): {v['help']}; e.g. {v['examples'][0]['target']}"
        for v in violations
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_serious_or_critical_wcag_violations(axe, viewport):
    result = axe[viewport]
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe found WCAG 2.2 AA violations at {viewport} width:\n{_describe(blocking)}"
    assert result["passes"] > 10, "axe ran too few rules; was the page empty?"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_report_is_self_contained_and_fits_the_screen(axe, viewport):
    result = axe[viewport]
    assert result["blocked_requests"] == [], "the HTML report asked for files outside itself"
    layout = result["layout"]
    assert layout["scrollWidth"] <= layout["clientWidth"], f"the page scrolls sideways at {viewport} width"
    assert layout["scrollHeight"] > 3 * VIEWPORTS[viewport][1]  # the whole report rendered


def test_screenshots_are_kept_as_artefacts(axe):
    for name, result in axe.items():
        shot = Path(result["screenshot"])
        assert shot.parent == ARTEFACTS and shot.stat().st_size > 50_000, name
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
