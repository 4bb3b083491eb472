"""The staff layout: the vendored design system, and the header's navigation slots."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from handoff.models import Role
from handoff.web.nav import add_nav_item
from tests.handoff.test_web_conversations import Staff

NHSUK = Path(__file__).resolve().parents[2] / "handoff" / "static" / "nhsuk"


def test_the_vendored_design_system_fetches_nothing_from_another_site():
    css = (NHSUK / "nhsuk-frontend.min.css").read_text()
    assert "@font-face" not in css and not re.search(r"https?://", css)
    for image in re.findall(r"url\(images/([^)]+)\)", css):
        assert (NHSUK / "images" / image).is_file(), image


def test_the_readme_names_the_version_vendored():
    version = re.search(r"^Version: (\S+)$", (NHSUK / "README.md").read_text(), re.M).group(1)
    assert f'--nhsuk-frontend-version:"{version}"' in (NHSUK / "nhsuk-frontend.min.css").read_text()
    assert f'version="{version}"' in (NHSUK / "nhsuk-frontend.min.js").read_text()


def nav_links(page: str) -> list[str]:
    header = page.split("nhsuk-header__navigation-list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="nhsuk-header__navigation-link" href="[^"]+"[^>]*>(?:<strong[^>]*>)?([^<]+)', header)


def test_each_role_sees_its_nav_items_and_the_page_it_is_on(app):
    add_nav_item(app, "Sign-out page", "auth.logout", role="supervisor")
    nurse, supervisor = Staff(app, "nurse@example.org"), Staff(app, "sue@example.org", Role.SUPERVISOR)
    assert nav_links(nurse.page("/queue")) == ["Queue"]
    page = supervisor.page("/queue")
    assert nav_links(page) == ["Queue", "Sign-out page"]
    assert re.search(r'href="/queue" aria-current="page"', page)


def test_a_nav_item_for_an_unknown_role_is_refused(app):
    with pytest.raises(ValueError, match="admin"):
        add_nav_item(app, "Users", "queue.queue_page", role="admin")
