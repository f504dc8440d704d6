"""GET /: the page shows why, in a real headless Chromium against the service under gunicorn."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.harness import Gunicorn, request

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FLAWED = """import logging

import psycopg2

log = logging.getLogger(__name__)


def connect():
    return psycopg2.connect(host="db.internal", user="admin", password="hunter2")


def transfer(src: str, dst: str, cents: int) -> None:
    \"\"\"Move cents from one account to another.\"\"\"
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute("UPDATE accounts SET cents = cents - %s WHERE id = %s", (cents, src))
            cur.execute("UPDATE accounts SET cents = cents + %s WHERE id = %s", (cents, dst))
    except Exception:
        pass  # TODO: retry
"""


@pytest.fixture
def browser():
    assert Path(CHROMIUM).exists(), "chromium is missing: scripts/test installs it (scripts/system-packages)"
    with sync_playwright() as p:
        # launch() gives every run a fresh temporary profile (user data dir).
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def serve(tmp_path, database_url, **env) -> Gunicorn:
    return Gunicorn(tmp_path / "home", database_url, workers=1, threads=2, env=env).start()


def judge_on_page(page: Page, content: str) -> None:
    page.fill("#content", content)
    page.click("#judge")
    expect(page.locator("#result")).to_be_visible()


def test_a_flawed_snippet_barks_with_its_finding_on_the_right_line(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{service.port}/")
        page.check("#store")
        judge_on_page(page, 'def add(a: int, b: int) -> int:\n    """Add."""\n    return a + b\n')
        expect(page.locator("#recent tr")).to_have_count(1)
        page.uncheck("#store")
        judge_on_page(page, FLAWED)
        expect(page.locator("#verdict")).to_have_text("BARK")
        line9 = page.locator('#code li[data-line="9"]')
        expect(line9).to_have_class("line flagged grave")
        expect(line9.locator(".message")).to_contain_text("hard-coded password passed to psycopg2.connect()")
        expect(line9.locator(".rule")).to_have_text("hardcoded-secret")
        expect(page.locator('#code li[data-line="19"] .rule')).to_have_text("swallowed-error")
        expect(page.locator('#code li[data-line="1"]')).to_have_class("line")
        expect(page.locator("#persisted")).to_have_text("dry run: not stored")
        expect(page.locator("#dogs .bar.veto")).to_have_count(1)
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        if os.environ.get("CYNIC_PAGE_SCREENSHOT"):
            page.screenshot(path=os.environ["CYNIC_PAGE_SCREENSHOT"], full_page=True)
    finally:
        service.stop()


def test_content_and_findings_are_shown_as_text_never_as_html(browser, tmp_path, database_url):
    hostile = (
        '<img src=x onerror="window.pwned = 1">\n'
        "<script>window.pwned = 2</script>\n"
        'document.body.innerHTML = "<b>" + location.hash;\n'
    )
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        judge_on_page(page, hostile)
        expect(page.locator("#verdict")).to_have_text("BARK")  # the innerHTML line is an XSS hole
        expect(page.locator('#code li[data-line="1"] .src')).to_have_text(hostile.splitlines()[0])
        assert page.locator("#code img, #code script, #code b").count() == 0
        assert page.evaluate("window.pwned") is None
        expect(page.locator('#code li[data-line="3"] .rule')).to_have_text("xss")
    finally:
        service.stop()


def test_storing_needs_the_token_and_the_node_state_shows_what_was_stored(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url, CYNIC_API_TOKEN="page-test-token")
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        page.check("#store")
        page.fill("#content", "def add(a: int, b: int) -> int:\n    return a + b\n")
        page.click("#judge")
        expect(page.locator("#error")).to_contain_text("401 unauthorized")
        page.fill("#token", "page-test-token")
        page.click("#judge")
        expect(page.locator("#persisted")).to_contain_text("stored as")
        expect(page.locator("#error")).to_be_hidden()
        expect(page.locator("#recent tr")).to_have_count(1)
        expect(page.locator("#recent tr td").first).to_have_text(page.locator("#verdict").inner_text())
    finally:
        service.stop()


def test_bad_input_shows_the_api_error_naming_the_field(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        page.fill("#content", "a\x00b")
        page.click("#judge")
        expect(page.locator("#error")).to_contain_text("422 validation_failed")
        expect(page.locator("#error")).to_contain_text("content: must not contain NUL characters")
        expect(page.locator("#result")).to_be_hidden()
    finally:
        service.stop()


CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"
LONG_LINE = "token = '" + "A1b2C3d4" * 40 + "'  # a long unbroken line must wrap, not widen the page\n"

#: Every element that sticks out of the viewport, or clips or scrolls its own content sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const bad = [];
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not rendered
    if (r.left < -0.5 || r.right > width + 0.5)
      bad.push(`${name(e)} spans ${r.left}..${r.right} of ${width}`);
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible")
      bad.push(`${name(e)} hides ${e.scrollWidth - e.clientWidth}px sideways`);
  }
  return bad;
}"""
#: WCAG contrast ratio of an element's text colour against the background it is drawn on.
CONTRAST = """(selector) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = (c) => rgb(c).map(linear).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const backdrop = (e) => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== "transparent" && !/, 0\\)$/.test(c)) return c;
    }
    return "rgb(255, 255, 255)";
  };
  const e = document.querySelector(selector);
  const [fg, bg] = [lum(getComputedStyle(e).color), lum(backdrop(e))];
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""


def store(service: Gunicorn, content: str, *, token: str | None = None, **fields) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    status, body = request(service.port, "POST", "/judge", {"content": content, **fields}, headers=headers)
    assert status == 200, body
    return body


def judge_and_store_on_page(page: Page, content: str) -> str:
    """Judge content on the page with "store it" ticked; return the id the API answered."""
    page.check("#store")
    page.fill("#content", content)
    with page.expect_response(lambda r: r.url.endswith("/judge") and r.request.method == "POST") as answer:
        page.click("#judge")
    expect(page.locator("#result")).to_be_visible()
    return answer.value.json()["judgment_id"]


def test_a_stored_judgment_shows_its_full_id_as_a_permalink_that_opens_it(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        judgment_id = judge_and_store_on_page(page, FLAWED)
        verdict = page.locator("#verdict").inner_text()
        expect(page.locator("#permalink")).to_have_text(judgment_id)  # all 36 characters
        expect(page.locator("#recent a").first).to_have_text(judgment_id)
        assert request(service.port, "GET", f"/judge/{judgment_id}")[0] == 200  # the id shown is usable
        page.click("#permalink")
        page.wait_for_url(f"**/j/{judgment_id}")
        expect(page.locator("#verdict")).to_have_text(verdict)
        expect(page.locator("#permalink")).to_have_text(judgment_id)
        expect(page.locator('#code li[data-line="9"] .rule')).to_have_text("hardcoded-secret")
        assert page.input_value("#content") == FLAWED  # ready to judge again
        fresh = browser.new_page()  # a permalink opened from elsewhere: nothing in memory
        fresh.goto(f"http://127.0.0.1:{service.port}/j/{judgment_id}")
        expect(fresh.locator("#verdict")).to_have_text(verdict)
        expect(fresh.locator("#permalink")).to_have_attribute("href", f"/j/{judgment_id}")
    finally:
        service.stop()


def test_a_permalink_to_an_absent_judgment_says_so(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/j/00000000-0000-4000-8000-000000000000")
        expect(page.locator("#error")).to_contain_text("404 not_found")
        expect(page.locator("#result")).to_be_hidden()
    finally:
        service.stop()


def test_a_permalink_on_a_node_that_protects_reads_loads_once_the_token_is_typed(
    browser, tmp_path, database_url
):
    service = serve(tmp_path, database_url, CYNIC_API_TOKEN="read-token", CYNIC_PROTECT_READS="1")
    try:
        judgment_id = store(service, FLAWED, token="read-token")["judgment_id"]
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/j/{judgment_id}")
        expect(page.locator("#error")).to_contain_text("401 unauthorized")
        page.fill("#token", "read-token")
        page.dispatch_event("#token", "change")
        expect(page.locator("#permalink")).to_have_text(judgment_id)
        expect(page.locator("#error")).to_be_hidden()
        expect(page.locator("#recent tr")).to_have_count(1)
    finally:
        service.stop()


def test_the_history_filters_by_verdict_and_pages_on(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        hole = store(service, "import os\nos.system(input())\n")
        clean = [store(service, CLEAN.replace("add", f"add{i}")) for i in range(11)]
        assert hole["verdict"] == "BARK" and {c["verdict"] for c in clean} != {"BARK"}
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        rows = page.locator("#recent tr")
        expect(rows).to_have_count(10)  # newest first, ten at a time
        expect(rows.first.locator("a")).to_have_text(clean[-1]["judgment_id"])
        page.click("#history-more")
        expect(rows).to_have_count(12)
        expect(rows.last.locator("a")).to_have_text(hole["judgment_id"])
        expect(page.locator("#history-more")).to_be_hidden()
        page.select_option("#history-verdict", "BARK")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("td").first).to_have_text("BARK")
        page.select_option("#history-verdict", clean[0]["verdict"])
        expect(rows).to_have_count(min(10, sum(c["verdict"] == clean[0]["verdict"] for c in clean)))
        assert set(rows.locator("td:first-child").all_inner_texts()) == {clean[0]["verdict"]}
        page.select_option("#history-verdict", "")
        expect(rows).to_have_count(10)
    finally:
        service.stop()


def test_ctrl_enter_in_the_editor_judges(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        page.fill("#content", FLAWED)
        page.focus("#content")
        page.keyboard.press("Control+Enter")
        expect(page.locator("#verdict")).to_have_text("BARK")
        assert page.input_value("#content") == FLAWED  # the shortcut typed no newline
    finally:
        service.stop()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_page_fits_its_width_with_nothing_cut_off(browser, tmp_path, database_url, width):
    service = serve(tmp_path, database_url)
    try:
        store(service, "import os\nos.system(input())\n", context="file: " + "deeply/nested/" * 12 + "run.py")
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(f"http://127.0.0.1:{service.port}/")
        judgment_id = judge_and_store_on_page(page, FLAWED + LONG_LINE)
        expect(page.locator("#recent tr")).to_have_count(2)
        expect(page.locator("#permalink")).to_have_text(judgment_id)
        page.screenshot(path=str(tmp_path / f"page-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(OVERFLOWING) == []
        for control in ("#content", "#judge", "#token", "#history-verdict", "#permalink", "#recent a"):
            box = page.locator(control).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (control, box)
    finally:
        service.stop()


def test_dark_mode_follows_prefers_color_scheme(browser, tmp_path, database_url):
    service = serve(tmp_path, database_url)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{service.port}/")
        judge_and_store_on_page(page, FLAWED)
        expect(page.locator("#recent tr")).to_have_count(1)
        looks = {}
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            looks[scheme] = page.evaluate(
                "() => [document.body, document.querySelector('#code'), document.querySelector('textarea')]"
                ".map((e) => getComputedStyle(e).backgroundColor)"
            )
            for text in (
                "body",
                ".tagline",
                "#persisted",
                '#code li[data-line="9"] .message',
                "#recent td",
                "#verdict",
                "#recent a",
            ):
                assert page.evaluate(CONTRAST, text) >= 4.5, (scheme, text)
            page.screenshot(path=str(tmp_path / f"page-{scheme}.png"), full_page=True)
        assert all(light != dark for light, dark in zip(looks["light"], looks["dark"], strict=True)), looks
        dark_body = [int(v) for v in looks["dark"][0].strip("rgba()").split(",")[:3]]
        assert max(dark_body) < 64, looks  # a dark background, not merely another light one
    finally:
        service.stop()


def test_history_and_permalink_show_hostile_text_as_text(browser, tmp_path, database_url):
    hostile = '<img src=x onerror="window.pwned = 3">'
    service = serve(tmp_path, database_url)
    try:
        judgment_id = store(service, hostile + "\n<script>window.pwned = 4</script>\n", context=hostile)[
            "judgment_id"
        ]
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{service.port}/")
        expect(page.locator("#recent tr")).to_have_count(1)
        expect(page.locator("#recent")).to_contain_text(hostile)
        page.goto(f"http://127.0.0.1:{service.port}/j/{judgment_id}")
        expect(page.locator('#code li[data-line="1"] .src')).to_have_text(hostile)
        expect(page.locator("#recent")).to_contain_text(hostile)
        assert page.locator("img, #code script, #recent script").count() == 0
        assert page.evaluate("window.pwned") is None
    finally:
        service.stop()
