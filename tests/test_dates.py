"""Dates as Vietnamese pages print them: day-first, Vietnam time, never invented."""

import pytest

from crawler.dates import date_from_url, find_dates, parse_date, parse_iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23-08-2022 16:13", "2022-08-23T16:13:00+07:00"),
        ("23/08/2022", "2022-08-23"),
        ("Thứ Ba, 23/08/2022 16:13", "2022-08-23T16:13:00+07:00"),
        ("16:13 | 23/08/2022", "2022-08-23T16:13:00+07:00"),
        ("08:00 | 28/02/2020", "2020-02-28T08:00:00+07:00"),
        ("Ngày đăng: 08/07/2024", "2024-07-08"),
        ("23 Tháng Tám, 2022", "2022-08-23"),
        ("Ngày 23 tháng 8 năm 2022", "2022-08-23"),
        ("23/8/2022 - 16:13 GMT+7", "2022-08-23T16:13:00+07:00"),
        ("05-08-2022 09:30", "2022-08-05T09:30:00+07:00"),
        ("Thứ sáu,  15/10/2021", "2021-10-15"),
    ],
)
def test_vietnamese_date_forms(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_day_first_even_when_both_orders_are_valid() -> None:
    assert parse_date("05/08/2022") == "2022-08-05"
    assert parse_date("12/01/2023 07:05") == "2023-01-12T07:05:00+07:00"


def test_impossible_dates_and_no_dates() -> None:
    assert parse_date("31/02/2022") is None
    assert parse_date("Số 123-CV/ĐUK về việc triển khai") is None


def test_update_label_is_not_publication() -> None:
    dates = find_dates("Ngày đăng: 08/07/2024 07:00 Cập nhật: 09/07/2024 10:00")
    assert [(d.value, d.updated) for d in dates] == [
        ("2024-07-08T07:00:00+07:00", False),
        ("2024-07-09T10:00:00+07:00", True),
    ]


def test_machine_dates_are_shown_in_vietnam_time() -> None:
    assert parse_iso("2022-08-23T09:13:00Z") == "2022-08-23T16:13:00+07:00"
    assert parse_iso("2022-08-23T16:13:00+07:00") == "2022-08-23T16:13:00+07:00"
    assert parse_iso("2022-08-23T16:13") == "2022-08-23T16:13:00+07:00"
    assert parse_iso("2022-08-23") == "2022-08-23"


def test_dates_in_urls() -> None:
    assert date_from_url("http://h/2022/08/05/hoi-nghi/") == "2022-08-05"
    assert date_from_url("http://h/tin-tuc/hoi-nghi-12345.html") is None
