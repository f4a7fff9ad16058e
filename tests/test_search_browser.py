"""In real headless Chromium: home → search "cathédrale" → a facet → a notice → the map view.

Each page is kept as a screenshot in tests/artifacts/ (search-*.png).
"""

from __future__ import annotations

import re

import pytest
from browser import screenshot
from http_servers import ServedApp

pytest_plugins = ["fixtures_http", "fixtures_demo", "fixtures_search", "browser"]

MERIMEE_CATHEDRALE = ["PA81990001", "PA67990001", "PA51990001", "PA63990001", "PA80990001",
                      "PA28990001", "PA00086250", "PA13990001"]  # fmt: skip


def refs(page) -> list[str]:
    return page.locator("li.hit .ref").all_inner_texts()


@pytest.mark.timeout(180)
def test_home_search_facet_notice_map(page, search_app: ServedApp, search_index) -> None:
    page.goto(search_app.url + "/")
    assert page.locator("a.base-card").count() == 8
    assert (
        page.locator("a.theme-card").first.locator("strong").inner_text() == "Châteaux de la Loire"
    )
    screenshot(page, "search-1-home")

    page.locator("section.hero input[type=search]").fill("cathédrale")
    page.locator("section.hero input[type=search]").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=cath%C3%A9drale$"))
    from pop_ld.searchstate import SearchState

    total = search_index.resolve(SearchState(q="cathédrale")).total
    assert page.locator("p.total").inner_text() == f"{total} résultats, par pertinence"
    assert page.locator("li.hit h3").first.inner_text() == "Cathédrale Sainte-Cécile"
    screenshot(page, "search-2-results")

    base = page.locator(
        'section.facet[data-facet="base"] a', has_text="Patrimoine architectural (Mérimée)"
    )
    assert base.locator(".count").inner_text() == "8"
    base.click()
    page.wait_for_url(re.compile(r"f\.base=merimee"))
    assert page.locator("p.total").inner_text() == "8 résultats, par pertinence"
    assert refs(page) == MERIMEE_CATHEDRALE
    assert page.locator("li.chip span").all_inner_texts() == [
        "Recherche : cathédrale",
        "Base : Patrimoine architectural (Mérimée)",
    ]
    screenshot(page, "search-3-facet")

    page.locator("li.hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/notice/merimee/PA81990001\?from=.*&i=0$"))
    assert "Cathédrale Sainte-Cécile" in page.locator("h1").first.inner_text()
    screenshot(page, "search-4-notice")

    page.go_back()
    page.locator('.views a[data-view="map"]').click()
    page.wait_for_url(re.compile(r"view=map"))
    page.wait_for_selector("#results-map[data-loaded]")
    page.wait_for_selector(".marker-cluster")
    clusters = [
        int(t.replace("\u202f", "").replace(" ", ""))
        for t in page.locator(".marker-cluster span").all_inner_texts()
    ]
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    assert clusters
    assert sum(clusters) + singles == 8
    assert page.locator(".map-total").inner_text() == "8 notice(s) géolocalisée(s) dans la vue"
    screenshot(page, "search-5-map")

    page.goto(search_app.url + "/map?f.base=merimee")
    page.wait_for_selector(".marker-cluster")
    screenshot(page, "search-6-map-page")
