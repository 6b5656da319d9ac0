"""Dates as Vietnamese pages print them: day-first, Vietnam time, never invented."""

import pytest

from crawler.extract.dates import (
    Evidence,
    FoundDate,
    choose_published,
    choose_updated,
    date_from_url,
    find_dates,
    parse_date,
    parse_iso,
)


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thứ tư, 12 Tháng 10 2022 15:05", "2022-10-12T15:05:00+07:00"),
        ("Ngày 05 tháng 03 năm 2024", "2024-03-05"),
        ("5 Tháng Mười Một, 2022", "2022-11-05"),
        ("28 Tháng Hai, 2020", "2020-02-28"),
        ("24 Tháng Tám, 2022 lúc 8:15 chiều", "2022-08-24T20:15:00+07:00"),
        ("Thứ Năm, ngày 12/12/2024", "2024-12-12"),
        ("Thứ ba, 23/8/2022, 16:13 (GMT+7)", "2022-08-23T16:13:00+07:00"),
        ("Monday, November 18, 2019", "2019-11-18"),
        ("16:13 23-08-2022 GMT+9", "2022-08-23T16:13:00+09:00"),
    ],
)
def test_more_forms_seen_on_provincial_sites(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Ngày đăng: 12/03/2024 08:15 | Cập nhật: 14/03/2024 16:40", ["published", "updated"]),
        ("Cập nhật: 05/09/2023 10:20 | Ngày đăng: 04/09/2023 15:00", ["updated", "published"]),
        ("09:45 | 04/11/2021 Cập nhật lúc: 10:30 | 05/11/2021", [None, "updated"]),
        ("Ngày đăng: 28/02/2020 | Ngày cập nhật: 02/03/2020", ["published", "updated"]),
        ("Viết bởi Administrator Lần cập nhật cuối ( Thứ năm, 13 Tháng 10 2022 08:30 )", ["updated"]),
        ("Đăng vào 23 Tháng Tám, 2022", ["published"]),
    ],
)
def test_labels_tell_publication_from_update(text: str, labels: list[str | None]) -> None:
    assert [d.label for d in find_dates(text)] == labels


def test_a_time_between_two_dates_belongs_to_the_first() -> None:
    values = [d.value for d in find_dates("12/03/2024 08:15 | 14/03/2024")]
    assert values == ["2024-03-12T08:15:00+07:00", "2024-03-14"]


def test_placeholder_machine_dates_are_no_dates() -> None:
    assert parse_iso("0001-01-01T00:00:00Z") is None
    assert parse_iso("1970-01-01") is None
    assert parse_iso("2022-02-30T10:00:00") is None


def test_more_dates_in_urls() -> None:
    assert date_from_url("https://h/2022-08-05/hoi-nghi.html") == "2022-08-05"
    assert date_from_url("https://h/tin/20220805/hoi-nghi.html") == "2022-08-05"
    assert date_from_url("https://h/tin/hoi-nghi-20220805123.html") is None
    assert date_from_url("https://h/tin.aspx?ngay=2022/08/05/") is None


PRINTED = FoundDate("2022-08-23", has_time=False)
PRINTED_AT = FoundDate("2022-08-23T16:13:00+07:00", has_time=True)
LD = Evidence("2022-08-23T09:00:00+07:00", "datePublished")
META_OTHER_DAY = Evidence("2022-08-24T08:00:00+07:00", "article:published_time")


def test_the_printed_date_with_a_time_wins() -> None:
    assert choose_published(PRINTED_AT, [LD]) == Evidence(PRINTED_AT.value, "page")


def test_a_machine_date_of_the_same_day_gives_the_printed_date_its_time() -> None:
    assert choose_published(PRINTED, [LD]) == LD
    assert choose_published(PRINTED, [META_OTHER_DAY]) == Evidence("2022-08-23", "page")


def test_without_a_printed_date_machine_then_url_then_listing_then_nothing() -> None:
    listing = Evidence("2022-08-20", "listing")
    assert choose_published(None, [META_OTHER_DAY, LD]) == META_OTHER_DAY
    assert choose_published(None, [], "https://h/2022/08/21/x/", listing) == Evidence("2022-08-21", "url")
    assert choose_published(None, [], "https://h/x.html", listing) == listing
    assert choose_published(None, [], "https://h/x.html") is None


def test_an_update_is_never_the_publication_date() -> None:
    update = FoundDate("2022-08-25", has_time=False, label="updated")
    assert choose_published(update, []) is None
    assert choose_updated(update, ["2022-08-25T10:00:00+07:00"], "2022-08-23") == "2022-08-25T10:00:00+07:00"
    assert choose_updated(None, ["2022-08-23T16:13:00+07:00"], "2022-08-23T16:13:00+07:00") is None
    assert choose_updated(None, ["2022-08-22"], "2022-08-23T16:13:00+07:00") is None
    assert choose_updated(None, [], "2022-08-23") is None
