"""The notice page in real headless Chromium: sections, the map, following a related notice.

Map tiles come from the internet; here every outside request gets a 1-pixel PNG, so the test
checks that Leaflet asked for tiles and drew the marker and the building's outline, offline.
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import pytest
from browser import screenshot
from http_servers import ServedApp

pytest_plugins = ["fixtures_demo", "browser"]

PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


@pytest.fixture
def offline(page):
    """The page, with every request outside the test server answered by a blank tile."""
    requested: list[str] = []

    def answer(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PIXEL)

    page.route("https://**/*", answer)
    page.requested = requested
    return page


def test_notice_sections_and_map(offline, demo_app: ServedApp) -> None:
    page = offline
    page.goto(demo_app.url + "/notice/merimee/PA00086250")
    assert page.locator("h1").inner_text() == "Cathédrale Notre-Dame"
    headings = page.locator("article section > h2").all_inner_texts()
    assert headings[:6] == [
        "Identification",
        "Historique",
        "Description",
        "Localisation",
        "Protection et statut juridique",
        "Références",
    ]
    page.wait_for_selector("#notice-map[data-ready=true]")
    page.wait_for_selector("#notice-map img.leaflet-tile-loaded")
    assert page.locator("#notice-map img.leaflet-tile").count() >= 1
    assert any("tile.openstreetmap.org" in url for url in page.requested)
    assert page.locator("#notice-map .leaflet-marker-icon").count() == 1
    assert page.locator("#notice-map path.leaflet-interactive").count() == 1  # the outline
    dd = page.locator('dd[data-code="DPRO"]')
    assert dd.inner_text() == "1862 : classé MH"
    screenshot(page, "notice-merimee-PA00086250")


def test_follow_object_to_its_church(offline, demo_app: ServedApp) -> None:
    page = offline
    page.goto(demo_app.url + "/notice/palissy/PM75990001")
    assert page.locator("h1").inner_text() == "cloche dite Emmanuel"
    screenshot(page, "notice-palissy-PM75990001")
    page.locator('dd[data-code="REFA"] a').click()
    page.wait_for_url("**/notice/merimee/PA00086250")
    assert page.locator("h1").inner_text() == "Cathédrale Notre-Dame"
    objects = page.locator("#objets li a").all_inner_texts()
    assert "cloche dite Emmanuel" in objects
    screenshot(page, "notice-followed-to-church")


def test_unpublished_building_from_its_object(offline, demo_app: ServedApp) -> None:
    page = offline
    page.goto(demo_app.url + "/notice/palissy/PM49990001")
    page.locator('dd[data-code="REFA"] a').click()
    page.wait_for_url("**/notice/merimee/PA49990001")
    assert page.locator("h1").inner_text() == "Notice non publiée"
    assert page.locator("#objets li a").all_inner_texts() == ["tenture de l'Apocalypse"]
    screenshot(page, "notice-unpublished-PA49990001")


def test_hostile_value_does_not_run(offline, demo_app: ServedApp) -> None:
    page = offline
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(demo_app.url + "/notice/merimee/PA80990002")
    assert page.locator('dd[data-code="OBS"]').inner_text() == "<script>alert('x')</script>"
    assert dialogs == []
    screenshot(page, "notice-merimee-PA80990002")
