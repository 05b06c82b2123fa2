import pytest

from marsad.clean.dates import find_date, parse_date


@pytest.mark.parametrize("text,iso", [
    ("حول العالم 06 ديسمبر 2024 0", "2024-12-06"),
    ("تاريخ النشر: 10th, December 2024 GMT", "2024-12-10"),
    ("يناير 8, 2025آخر تحديث: يناير 8, 2025", "2025-01-08"),
    ("٧ كانون الأول ٢٠٢٤", "2024-12-07"),
    ("الخميس 3 تشرين الثاني 2022", "2022-11-03"),
    ("8 ديسمبر/كانون الأول 2024", "2024-12-08"),
    ("نشر في 1 جويلية 2023", "2023-07-01"),
    ("12 آب 2021 - 10:30", "2021-08-12"),
    ("2024-12-07T10:00:00+03:00", "2024-12-07"),
    ("نشر بتاريخ 07/12/2024", "2024-12-07"),
    ("Tue, 10 Dec 2024 08:00:00 GMT", "2024-12-10"),
    ("March 3rd, 2023", "2023-03-03"),
    ("أيار 15، 2019", "2019-05-15"),
])
def test_find_date_forms(text, iso):
    assert find_date(text)[0] == iso


@pytest.mark.parametrize("text", ["منذ عام 2016 حتى الآن", "31 فبراير 2024", "قتل 12 شخصا في 2024", ""])
def test_no_date_is_invented(text):
    assert find_date(text) is None


def test_parse_date_falls_back_to_dateparser():
    assert parse_date("2024/12/07") == "2024-12-07"
    assert parse_date("December the 10th 2024") == "2024-12-10"
    assert parse_date("not a date at all") is None
    assert parse_date(None) is None
