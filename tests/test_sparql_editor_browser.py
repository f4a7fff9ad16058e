"""The query editor in headless Chromium: pick an example, run it, read the table, the map, the chart.

The browser may reach only the app: every other request is refused, so the page is shown to
work with no network (libraries from /vendor; the map's tiles fail and the points stay).
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from demo_data import missing_bases, select
from http_servers import ServedApp

from pop_ld import ROOT, examples, uris

pytest_plugins = ["fixtures_http", "fixtures_demo", "browser"]

if not (ROOT / "node_modules" / "@zazuko" / "yasgui").is_dir():
    pytest.skip("node_modules/ not installed: run `make install` (npm ci)", allow_module_level=True)


def screenshot(page, name: str) -> Path:
    """tests/browser.py's helper, imported once pytest has loaded that module as a plugin."""
    from browser import screenshot as keep

    return keep(page, name)


@pytest.fixture(scope="module")
def editor(browser, demo_app: ServedApp):
    """One editor page for the module (it takes seconds to start), offline but for the app.

    Yields the page and the requests it tried to make elsewhere.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    refused: list[str] = []
    origin = urlsplit(demo_app.url).netloc

    def only_the_app(route) -> None:
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(demo_app.sparql)
    page.wait_for_selector(".yasqe .CodeMirror")
    yield page, refused
    context.close()
    assert errors == []


def run_example(page, name: str) -> None:
    """Pick an example in the menu, press YASGUI's run button, wait until its results are drawn."""
    page.click(f'button[data-example="{name}"]')
    page.evaluate(
        """() => { const tab = window.popLdEditor.getTab();
                   window.popLdDrawn = new Promise((drawn) => tab.once("queryResponse",
                     () => tab.getYasr().once("drawn", drawn))); }"""
    )
    page.click(".yasqe_queryButton")
    page.evaluate("() => window.popLdDrawn.then(() => true)")


def test_pick_an_example_run_it_see_the_table(editor, demo_store) -> None:
    page, refused = editor
    assert page.locator("button.example").count() == len(examples.load_examples())
    assert (
        page.get_attribute('button[data-example="protected_in_several_steps"]', "aria-pressed")
        == "false"
    )
    run_example(page, "protected_in_several_steps")
    assert (
        page.get_attribute('button[data-example="protected_in_several_steps"]', "aria-pressed")
        == "true"
    )
    # the French and English descriptions of the example are shown above the editor
    assert "crm:E17_Type_Assignment" in page.inner_text("#example-description .description")
    assert page.inner_text("#example-description .description-en").startswith("Things whose")
    rows = page.locator(".yasr table.dataTable tbody tr")
    assert rows.count() == 2
    first = rows.first.inner_text()
    assert uris.thing("merimee", "PA51990002") in first
    assert "Chapelle Saint-Michel et son cimetière" in first
    assert "1862 : classé MH ; 1930/01/06 : inscrit MH" in first
    screenshot(page, "sparql-editor-table")
    # nothing but the app, not even a font: only the map's tiles are asked for elsewhere
    assert all("tile.openstreetmap.org" in url for url in refused)


def test_download_the_table_as_csv(editor) -> None:
    page, _ = editor
    run_example(page, "protected_in_several_steps")
    with page.expect_download() as caught:
        page.click(".yasr_downloadIcon")
    rows = list(csv.reader(io.StringIO(caught.value.path().read_text(encoding="utf-8"))))
    assert rows[0] == ["thing", "label", "steps", "history"]
    assert rows[1][:2] == [
        uris.thing("merimee", "PA51990002"),
        "Chapelle Saint-Michel et son cimetière",
    ]
    assert len(rows) == 3


def test_the_wkt_example_on_a_map(editor, demo_store) -> None:
    page, refused = editor
    example = examples.example_named("map_of_monuments")
    rows = select(demo_store, example.query.body)  # type: ignore[union-attr]
    points = sum(r["wkt"].startswith("POINT") for r in rows)  # type: ignore[union-attr]
    polygons = sum(r["wkt"].startswith("POLYGON") for r in rows)  # type: ignore[union-attr]
    run_example(page, "map_of_monuments")
    page.wait_for_selector(".pop-ld-map .leaflet-marker-icon")
    assert page.locator(".yasr .select_map.selected").count() == 1
    leaflet_map = page.locator(".pop-ld-map")
    assert leaflet_map.get_attribute("data-markers") == str(points)
    assert leaflet_map.get_attribute("data-shapes") == str(polygons)
    assert page.locator(".pop-ld-map path.leaflet-interactive").count() == polygons
    # offline: the tiles were refused, the map says so and keeps its markers
    assert refused and all("tile.openstreetmap.org" in url for url in refused)
    page.wait_for_selector(".pop-ld-map.offline")
    screenshot(page, "sparql-editor-map")
    # a marker's popup names the monument, as text
    page.locator(".pop-ld-map .leaflet-marker-icon:not(.marker-cluster)").first.click()
    popup = page.wait_for_selector(".leaflet-popup-content dl")
    assert "label" in popup.inner_text()


def test_the_chart_example(editor, demo_store) -> None:
    page, _ = editor
    rows = select(demo_store, examples.example_named("count_by_century").query.body)  # type: ignore[union-attr]
    run_example(page, "count_by_century")
    page.wait_for_selector(".pop-ld-chart canvas")
    assert page.locator(".yasr .select_chart.selected").count() == 1
    assert page.get_attribute(".pop-ld-chart", "data-bars") == str(len(rows))
    labels = page.evaluate(
        "() => Chart.getChart(document.querySelector('.pop-ld-chart canvas')).data.labels"
    )
    assert labels == [r["siecle"] for r in rows]
    screenshot(page, "sparql-editor-chart")


def test_classes_and_properties_autocomplete_from_void(editor) -> None:
    page, _ = editor
    hints = []
    for text in ("SELECT * WHERE { ?x a crm:E22_", "SELECT * WHERE { ?x crm:P108"):
        page.evaluate(
            """(text) => {
              const yasqe = window.popLdEditor.getTab().getYasqe();
              yasqe.setValue('PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\\n' + text);
              yasqe.focus();
              yasqe.setCursor({line: 1, ch: text.length});
            }""",
            text,
        )
        page.keyboard.press("Control+Space")
        page.wait_for_selector(".CodeMirror-hints li")
        hints.append(page.locator(".CodeMirror-hints li").all_inner_texts())
        page.keyboard.press("Escape")
    assert hints == [["crm:E22_Human-Made_Object"], ["crm:P108i_was_produced_by"]]


def test_an_example_from_the_url(page, demo_app: ServedApp) -> None:
    page.goto(demo_app.sparql + "?example=count_by_century")
    page.wait_for_selector(".yasqe .CodeMirror")
    query = page.evaluate("() => window.popLdEditor.getTab().getQuery()")
    assert query == examples.example_named("count_by_century").query.body  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["works_per_museum", "monuments_with_photographs"])
def test_examples_of_the_other_bases_in_the_table(editor, name: str) -> None:
    page, _ = editor
    missing = missing_bases(examples.example_named(name).query.bases)  # type: ignore[union-attr]
    if missing:
        pytest.skip(f"example {name} needs {', '.join(missing)}: that base is not in the demo yet")
    run_example(page, name)
    assert page.locator(".yasr .select_table.selected").count() == 1
    assert page.locator(".yasr table.dataTable tbody tr td").count() > 0
