"""The HTML report in a real browser (Debian's chromium + chromium-driver, through Selenium):
the script runs under the page's own CSP, filters hide and show findings, clicking a mark
opens its details, n/p walk the findings, and the console stays free of errors.

Skipped when chromium, chromedriver or selenium is missing; CI installs all three.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mtqa.api import Checker, Run
from mtqa.config import Config
from mtqa.document import Document, Finding, InputFailure, Severity
from mtqa.report.html import render

ARTICLE = (
    "Le secrétaire d’État américain s’est envolé pour Bruxelles\n"
    "Lors de son voyage, le ministre des Affaires étrangères Blinken s’est démissionné à Bruxelles.\n"
    "Le président Volodymyr Zelenskiy a salué l’aide, a annoncé le ministère américain des Affaires "
    "étrangères.\n"
    "La réunion s’est tenue mardi au siège de l’alliance, sans incident.\n"
)
SOURCE = (
    "The US secretary of state flew to Brussels\n"
    "During his trip, Secretary of State Blinken resigned in Brussels.\n"
    "The aid was <b>welcome</b>.\n"
    "President Volodymyr Zelenskiy welcomed the aid, the US State Department said.\n"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
    "--hide-scrollbars",
]


def _binary(*names: str) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    checker = Checker(Config(model=False))
    run = Run(config=checker.config, scorer_id=checker.scorer.id)
    for doc in (Document("a.txt", ARTICLE), Document("feed.jsonl#2", ARTICLE, source="The source <b>.")):
        checked = checker.check(doc)
        assert not isinstance(checked, InputFailure)
        run.documents.append(checked)
    # An overlapping finding: "ministre" inside MTQA201's span.
    doc = run.documents[0]
    start = ARTICLE.index("ministre des")
    doc.sentences[1].findings.append(
        Finding(
            "MTQA712", "typography", Severity.MINOR, start, start + 8, "ministre", "chevauchement", ("x",)
        )
    )
    # The second document keeps its source in plain columns (no links recorded); a third is
    # aligned by hand: 1-1, an omitted English sentence, 1-1, then a French addition.
    unaligned = run.documents[1]
    unaligned.unaligned_source = []
    for s in unaligned.sentences:
        s.source_spans, s.similarity = [], None
    aligned = checker.check(Document("aligned.jsonl#3", ARTICLE, source=SOURCE))
    assert not isinstance(aligned, InputFailure)
    spans = [(SOURCE.index(line), SOURCE.index(line) + len(line)) for line in SOURCE.splitlines()]
    for s in aligned.sentences:
        s.source_spans, s.similarity = [], None
    for s, span in zip(aligned.sentences, [spans[0], spans[1], spans[3]], strict=False):
        s.source_spans, s.similarity = [span], 0.9
    aligned.unaligned_source = [spans[2]]
    run.documents.append(aligned)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(run, date="2024-11-22"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = _binary("chromium", "chromium-browser")
    driver_path = _binary("chromedriver", "chromium-driver")
    if not chromium or not driver_path:
        why = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):  # .ci/run installs them: a skip there would hide a broken install
            pytest.fail(why)
        pytest.skip(why)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def page(browser: Any, report: Path) -> Any:
    browser.get(report.as_uri())
    return browser


def _marks(driver: Any, severity: str) -> list[Any]:
    return driver.find_elements("css selector", f"mark.f.first[data-severity={severity}]")


def _highlighted(driver: Any, mark: Any) -> bool:
    colour = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", mark)
    return colour not in ("transparent", "rgba(0, 0, 0, 0)")


def test_renders_with_its_script_allowed_by_the_csp(page: Any, tmp_path: Path) -> None:
    d = page
    assert d.title.startswith("mtqa report")
    # The script removes "no-js": it ran, so the CSP hash matches the inline script.
    assert d.execute_script("return document.documentElement.className") == ""
    assert d.find_element("id", "pos").text.endswith(
        f"/ {len(d.find_elements('css selector', 'mark.f.first'))}"
    )
    assert d.find_elements("css selector", ".cols .srctext")
    shot = tmp_path / "report.png"
    assert d.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_filters_hide_and_show_findings(page: Any) -> None:
    d = page
    major = _marks(d, "major")
    assert major and all(_highlighted(d, m) for m in major)
    box = d.find_element("css selector", "input[data-filter=sev][value=major]")
    box.click()
    assert not any(_highlighted(d, m) for m in major)
    assert all(_highlighted(d, m) for m in _marks(d, "minor"))
    rows = d.find_elements("css selector", "tr.sev-major")
    assert rows and not any(r.is_displayed() for r in rows)
    box.click()
    assert all(_highlighted(d, m) for m in major) and all(r.is_displayed() for r in rows)

    # Categories sit in a drop-down menu.
    d.find_element("css selector", "details.dd summary").click()
    grammar = d.find_element("css selector", "mark.f[data-rule=MTQA401]")
    category_box = d.find_element("css selector", f"input[value={grammar.get_attribute('data-c')}]")
    category_box.click()
    assert not _highlighted(d, grammar)
    category_box.click()
    assert _highlighted(d, grammar)

    # Flagged sentences only: the clean last line disappears, flagged ones stay.
    clean = d.find_elements("css selector", ".text .s:not(.has)")
    assert clean and all(s.is_displayed() for s in clean)
    d.find_element("id", "flagged-only").click()
    assert not any(s.is_displayed() for s in clean)
    assert grammar.is_displayed()
    d.find_element("id", "reset").click()
    assert all(s.is_displayed() for s in clean)


def test_clicking_a_mark_opens_its_details(page: Any) -> None:
    d = page
    panel = d.find_element("id", "details")
    assert not panel.is_displayed()
    mark = d.find_element("css selector", "mark.f[data-rule=MTQA401]")
    mark.click()
    assert panel.is_displayed()
    text = panel.text
    assert "MTQA401" in text and "démissionner" in text and "mtqa explain MTQA401" in text
    link = panel.find_element("partial link text", "in the table")
    assert link.get_attribute("href").endswith("#row-" + mark.get_attribute("data-k"))
    # Nested marks: clicking the inner one lists both findings.
    d.find_element("css selector", "mark.f mark.f[data-rule=MTQA712]").click()
    assert len(panel.find_elements("css selector", ".item")) == 2
    d.find_element("id", "details-close").click()
    assert not panel.is_displayed()


def test_keyboard_walks_the_findings(page: Any) -> None:
    d = page
    body = d.find_element("tag name", "body")
    firsts = d.find_elements("css selector", "mark.f.first")
    body.send_keys("n")
    assert d.switch_to.active_element == firsts[0]
    assert d.find_element("id", "pos").text == f"1 / {len(firsts)}"
    d.switch_to.active_element.send_keys("j")
    assert d.switch_to.active_element == firsts[1]
    d.switch_to.active_element.send_keys("p")
    assert d.switch_to.active_element == firsts[0]
    assert d.find_element("id", "details").is_displayed()
    d.find_element("id", "prev").click()  # wraps round to the last
    assert d.find_element("id", "pos").text == f"{len(firsts)} / {len(firsts)}"


def test_no_console_errors(page: Any) -> None:
    d = page
    d.find_element("id", "next").click()
    d.find_element("css selector", "mark.f").click()
    errors = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def _box(driver: Any, el: Any) -> dict[str, float]:
    return driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", el)


def test_source_and_french_sit_side_by_side_and_stack_on_narrow_screens(page: Any) -> None:
    d = page
    rows = d.find_elements("css selector", "table.aligned tbody tr")
    kinds = [r.get_attribute("class").split()[1] for r in rows]  # "al <kind>", then "live" if flagged
    assert kinds == ["pair", "pair", "omit", "pair", "added"]
    src, fr = rows[1].find_elements("tag name", "td")
    assert "Blinken resigned" in src.text and "démissionné" in fr.text
    a, b = _box(d, src), _box(d, fr)
    assert a["top"] == b["top"] and a["right"] <= b["left"]  # one row, two columns
    assert rows[2].find_element("css selector", "td.fr").text == "omis dans la traduction"
    assert rows[4].find_element("css selector", "td.src").text == "absent de la source"

    # Flagged only: clean pairs go, the omission and the addition stay in view.
    d.find_element("id", "flagged-only").click()
    shown = [r.is_displayed() for r in rows]
    assert shown == [False, True, True, True, True]  # the clean headline goes
    d.find_element("id", "reset").click()
    assert all(r.is_displayed() for r in rows)

    # Narrow screen: the English stacks above its French.
    d.set_window_size(420, 1000)
    try:
        a, b = _box(d, src), _box(d, fr)
        assert a["bottom"] <= b["top"] + 1 and abs(a["left"] - b["left"]) < 2
        table = d.find_element("css selector", "table.aligned")
        assert _box(d, table)["right"] <= d.execute_script("return innerWidth")  # no sideways scroll
    finally:
        d.set_window_size(1280, 1000)
