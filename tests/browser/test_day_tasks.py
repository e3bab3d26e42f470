"""Việc trong ngày in headless Chromium: the crew sees each routine as done (when, by whom), late or not done yet,
and records the outcome of calling a citizen whose result was pulled back, which closes that follow-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

import pytest
from playwright.sync_api import Page, expect

from domain.clock import VIETNAM
from domain.codes import dossier_id
from domain.tray import tray_id
from domain.values import Actor, Party, Role
from tests.browser.workday_support import console_page, log_in, processed, serve
from tests.kiosk_support import ONE_STOP, Citizen

CREW = Actor(account_id="tuvan", role=Role.CONSULTANT)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    # 07:00 today: the test records the morning collection at 08:40, which must come after the demo's kiosk events
    # (it failed whenever the suite ran after 08:40 Vietnam time: the collection was recorded at the demo's time).
    start = datetime.combine(datetime.now(VIETNAM).date(), time(7), VIETNAM)
    yield from serve(tmp_path_factory.mktemp("day-tasks"), start)


@pytest.fixture
def page(browser, day) -> Iterator[Page]:
    yield from console_page(browser)


def test_the_crew_sees_the_days_routines_and_closes_a_follow_up_from_the_console(page: Page, day) -> None:
    app, clock = day
    system = app.system
    today = clock.now().astimezone(VIETNAM).date()
    clock.current = datetime.combine(today, datetime.min.time(), VIETNAM).replace(hour=8, minute=40)
    system.routines.schedule_day(["Q6-01"], today, at=clock.now())
    collector = Party(account_id="tuvan", name="Trần Minh Tuấn", role=Role.CONSULTANT, unit="Tổ tư vấn")
    system.kiosks.collect(
        "Q6-01", cash_counted=system.kiosks.get_kiosk("Q6-01").cash_expected, collector=collector, actor=CREW
    )
    code = pulled_back(system, processed(system, Citizen(61)), collector)
    system.policies.follow(clock.now())
    clock.current = clock.current.replace(hour=14, minute=45)

    log_in(page, app, "tuvan", "Việc trong ngày")
    rows = page.locator("#routine-tasks tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Thu hồ sơ và tiền 08:00")
    expect(rows.nth(0)).to_contain_text("Đã làm lúc 08:40 bởi Trần Minh Tuấn")
    expect(rows.nth(1)).to_contain_text("Trễ")
    expect(rows.nth(2)).to_contain_text("Chưa làm")

    follow_up = page.locator("#follow-ups tbody tr", has_text=code)
    follow_up.get_by_label("Kết quả", exact=True).select_option("asked_counter")
    follow_up.get_by_role("button", name="Ghi kết quả").click()
    expect(follow_up).to_contain_text("Đã ghi: Công dân xin nhận tại quầy")
    system.policies.follow(clock.now())
    page.reload()
    expect(page.locator("#follow-ups")).not_to_contain_text(code)


def pulled_back(system, code: str, staff: Party) -> str:
    """The result goes into a tray and comes back out (what `pull_back_overdue` records when the kiosk is full)."""
    slot = system.kiosks.load_result("Q6-01", code, actor=CREW)
    dossier, tray = system.app.repository.get(dossier_id(code)), system.app.repository.get(tray_id("Q6-01", slot.tray))
    tray.pull_back(dossier_code=code, receiver=ONE_STOP, actor=CREW, at=system.clock.now())
    dossier.pull_back(giver=staff, receiver=ONE_STOP, actor=CREW, at=system.clock.now())
    system.app.commit(dossier, tray)
    return code
