"""Eight threads loading results into one kiosk never double-book a tray."""

from __future__ import annotations

import threading
from collections import Counter

from application.base import OneStop
from application.dossiers import Dossiers
from domain.tray import Tray, tray_id
from domain.values import Actor, Applicant, Role
from tests.application.test_kiosk_day import KIOSK_PROCEDURES, process
from tests.fakes import FakeOtp
from tests.kiosk_support import STAFF_ACTOR, Citizen, kiosks_app

CLERK = Actor(account_id="officer.dept", role=Role.DEPARTMENT_OFFICER)


def test_eight_threads_loading_at_once_never_share_a_tray(store_env, catalogue, calendar, clock) -> None:
    apps = []
    for _ in range(2):  # two processes, each with its own application and cache
        dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
        apps.append((dossiers, kiosks_app(dossiers, FakeOtp(), clock)))
    dossiers, kiosks = apps[0]
    kiosks.install_kiosk("Q6-01", name="Kiosk", agency="H29.06", actor=STAFF_ACTOR, tray_count=90)
    codes = [
        dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[0],
            channel="counter",
            components=[],
            actor=CLERK,
            applicant=Applicant(id_number=Citizen(n).id_number, name=Citizen(n).name),
        )[0]
        for n in range(48)
    ]
    process(dossiers, codes, catalogue)
    loaded: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def load(worker: int) -> None:
        app = apps[worker % 2][1]
        for code in codes[worker::8]:
            try:
                line = app.load_result("Q6-01", code, actor=STAFF_ACTOR)
            except BaseException as error:  # noqa: BLE001 - collected and asserted below
                errors.append(error)
                continue
            with lock:
                loaded.append((code, line.tray))

    threads = [threading.Thread(target=load, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(loaded) == 48 and len({tray for _, tray in loaded}) == 48
    assert all(1 <= tray <= 90 for _, tray in loaded)
    stored_loads = Counter()
    for number in range(1, 91):
        for event in kiosks.app.events.get(tray_id("Q6-01", number)):
            if isinstance(event, Tray.Loaded):
                stored_loads[number] += 1
    assert set(stored_loads.values()) == {1} and len(stored_loads) == 48
    for code, tray in loaded:
        assert dossiers.get_dossier(code).status == "in_tray"
        assert kiosks.get_kiosk("Q6-01").trays[tray - 1].dossier_code == code
    for process_dossiers, _ in apps:
        process_dossiers.app.close()
