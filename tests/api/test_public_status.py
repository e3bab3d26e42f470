"""The public status lookup (tra cứu hồ sơ): no login, nothing personal, one answer for every miss, throttled."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import STAFF, enrol_team, submit
from tests.kiosk_support import Citizen

CITIZEN = Citizen(7)


@pytest.fixture
def world(system, otp):
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        assert (
            client.post(
                "/kiosks", json={"key": "Q6-01", "name": "Kiosk 24/7 Quận 6", "agency": "H29.06"}, headers=STAFF
            ).status_code
            == 201
        )
        assert (
            client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB000001"]}, headers=STAFF).status_code
            == 201
        )
        submitted = submit(client, otp, CITIZEN).json()
        assert system.projector.wait_for(submitted["position"])
        yield client, submitted["dossier_code"]


def spaced_lower(code: str) -> str:
    return "  " + " ".join(code.lower()) + " "


def test_code_in_any_case_and_spacing_with_the_last_four_digits_gives_status_date_and_place(world) -> None:
    client, code = world
    answer = client.post("/status", json={"code": spaced_lower(code), "phone_last4": CITIZEN.phone[-4:]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["found"] is True and body["code"] == code and body["status"] == "received"
    assert body["status_label"] == "Đã tiếp nhận, chờ kiểm tra hồ sơ" and body["appointment_date"]
    # a copy of a civil-status extract is a ward procedure: the citizen's ward (Phường 1) handles it and returns it
    assert code.startswith("H29.06.1-") and body["tray"] is None
    assert body["collect_at"] == "Bộ phận Một cửa – Ủy ban nhân dân Phường 1, Quận 6"
    assert answer.headers["cache-control"] == "no-store"


def test_the_answer_holds_nothing_personal(world) -> None:
    client, code = world
    text = client.post("/status", json={"code": code, "phone_last4": CITIZEN.phone[-4:]}).text
    family, *_, given = CITIZEN.name.split()
    assert CITIZEN.id_number not in text and CITIZEN.phone not in text and CITIZEN.phone[:6] not in text
    assert family not in text and given not in text


def test_wrong_digits_and_an_unknown_code_get_the_same_answer(world) -> None:
    client, code = world
    wrong = client.post("/status", json={"code": code, "phone_last4": "0000"})
    unknown = client.post("/status", json={"code": "H29.06-200101-9999", "phone_last4": CITIZEN.phone[-4:]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() and wrong.json()["found"] is False and code not in wrong.text
    assert wrong.json()["message_vi"].startswith("Không tìm thấy hồ sơ")


@pytest.mark.parametrize(
    "body",
    [
        {"code": "", "phone_last4": "1234"},
        {"code": "H29.06-1", "phone_last4": "123"},
        {"code": "H29.06-1", "phone_last4": "12a4"},
        {"code": "H29.06-1"},
        {"code": "H29.06-1", "phone_last4": "1234", "name": "x"},
    ],
)
def test_bad_input_is_a_clear_400(world, body) -> None:
    answer = world[0].post("/status", json=body)
    assert answer.status_code == 400 and answer.json()["message_vi"]


def test_five_misses_on_a_code_lock_that_code_even_for_the_right_digits(world) -> None:
    client, code = world
    for _ in range(5):
        assert client.post("/status", json={"code": code, "phone_last4": "0000"}).status_code == 404
    locked = client.post("/status", json={"code": code, "phone_last4": CITIZEN.phone[-4:]})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0 and "found" not in locked.json()


def test_ten_misses_from_one_address_lock_that_address_for_any_code(world) -> None:
    client, code = world
    for n in range(10):
        assert client.post("/status", json={"code": f"H29.06-200101-{n:04d}", "phone_last4": "1111"}).status_code == 404
    assert client.post("/status", json={"code": code, "phone_last4": CITIZEN.phone[-4:]}).status_code == 429


def test_a_found_lookup_counts_no_failure(world) -> None:
    client, code = world
    for _ in range(12):
        assert client.post("/status", json={"code": code, "phone_last4": CITIZEN.phone[-4:]}).status_code == 200


def test_the_web_page_shows_a_form_and_answers_it_without_login(world) -> None:
    client, code = world
    page = client.get("/tra-cuu")
    assert page.status_code == 200 and 'name="phone_last4"' in page.text and 'lang="vi"' in page.text
    assert 'name="viewport"' in page.text and "<script" not in page.text
    found = client.post("/tra-cuu", data={"code": code.lower(), "phone_last4": CITIZEN.phone[-4:]})
    assert (
        found.status_code == 200 and "Đã tiếp nhận, chờ kiểm tra hồ sơ" in found.text and "Ngày hẹn trả" in found.text
    )
    assert CITIZEN.name.split()[-1] not in found.text and CITIZEN.phone not in found.text
    missing = client.post("/tra-cuu", data={"code": code, "phone_last4": "0000"})
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ" in missing.text
    bad = client.post("/tra-cuu", data={"code": code, "phone_last4": "12"})
    assert bad.status_code == 400 and "4 chữ số" in bad.text
