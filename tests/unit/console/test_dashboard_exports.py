"""The dashboard's tables as files (CSV for Excel, XLSX), its period buckets, and charts drawn from
the very rows of the tables."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from services.console.web.pages.dashboard_charts import charts_for
from services.console.web.pages.dashboard_period import Interval, buckets, choose_interval, presets
from services.console.web.pages.dashboard_tables import received_tables, satisfaction_table
from services.console.web.pages.exports import Column, Table, export_response, sheet_name, to_csv, to_xlsx


def sample() -> Table:
    columns = (Column("承办部门"), Column("按期办结", "count"), Column("按期办结率", "rate"))
    table = Table("on_time", "各部门按期办结率", columns)
    table.rows += [("光明区住房和建设局", 9, 0.9091), ("光明区水务局", 0, None), ('=HYPERLINK("x")', 3, 1.0)]
    return table


def test_csv_has_a_bom_chinese_headers_and_percentages() -> None:
    content = to_csv(sample())
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8 only with it
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["承办部门", "按期办结", "按期办结率"]
    assert rows[1] == ["光明区住房和建设局", "9", "90.91%"]
    assert rows[2] == ["光明区水务局", "0", ""]  # nothing to divide: empty, not 0
    assert rows[3][0] == '\'=HYPERLINK("x")'  # a spreadsheet must not run it as a formula


def test_xlsx_keeps_numbers_as_numbers_and_text_as_text() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(sample())))
    sheet = workbook.active
    assert sheet is not None
    assert sheet.title == "各部门按期办结率"
    assert [c.value for c in sheet[1]] == ["承办部门", "按期办结", "按期办结率"]
    assert sheet["A2"].value == "光明区住房和建设局"
    assert sheet["B2"].value == 9 and isinstance(sheet["B2"].value, int)
    assert sheet["C2"].value == pytest.approx(0.9091) and sheet["C2"].number_format == "0.00%"
    assert sheet["C3"].value is None
    formula = sheet["A4"]
    assert formula.value == '=HYPERLINK("x")' and formula.data_type == "s"


def test_sheet_names_obey_excel() -> None:
    assert sheet_name("超期/未办结[1]:" + "长" * 40) == ("超期_未办结_1__" + "长" * 40)[:31]


def test_download_names_the_file_in_chinese() -> None:
    response = export_response(sample(), "xlsx", "各部门按期办结率_2026-11-01_2026-11-30")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="on_time.xlsx"')
    assert "filename*=UTF-8''%E5%90%84" in disposition
    assert response.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_buckets_cover_the_period_and_weeks_start_on_monday() -> None:
    weeks = buckets(date(2026, 11, 4), date(2026, 11, 18), Interval.week)  # a Wednesday to a Wednesday
    assert [(b.since, b.until) for b in weeks] == [
        (date(2026, 11, 4), date(2026, 11, 8)),
        (date(2026, 11, 9), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 18)),
    ]
    months = buckets(date(2026, 1, 15), date(2026, 3, 2), Interval.month)
    assert [b.params() for b in months][-1] == {"since": "2026-03-01", "until": "2026-03-02"}
    assert choose_interval(date(2026, 1, 1), date(2026, 12, 31), Interval.day) is Interval.week
    assert choose_interval(date(2020, 1, 1), date(2026, 12, 31), None) is Interval.month
    this_month, last_month, this_year = presets(date(2026, 3, 10))
    assert (last_month.since, last_month.until) == (date(2026, 2, 1), date(2026, 2, 28))
    assert (this_month.until, this_year.since) == (date(2026, 3, 31), date(2026, 1, 1))


def test_tables_and_charts_carry_the_services_figures() -> None:
    label = buckets(date(2026, 11, 2), date(2026, 11, 2), Interval.day)[0].label
    answer = {"received": 3, "by_track": {"litigation": 1, "petition": 2}, "by_street": {"玉塘街道": 2, "unknown": 1}}
    track, _, street = received_tables(answer, [(label, answer)])
    assert track.rows == [("2026-11-02", 1, 0, 2, 3), ("合计", 1, 0, 2, 3)]
    assert street.rows[0][street.column("玉塘街道")] == 2 and street.rows[0][street.column("未知")] == 1
    satisfaction = satisfaction_table(
        {"overall": {"total": 4, "satisfied": 3, "satisfaction_rate": 0.75, "reopen_requested": 1, "reopen_rate": 0.25}}
    )
    charts = {c["table"]: c for c in charts_for({t.key: t for t in (track, street, satisfaction)})}
    assert charts["received_track"]["categories"] == ["2026-11-02"]  # the 合计 row is no point in time
    assert {s["name"]: s["data"] for s in charts["received_track"]["series"]} == {
        "涉法涉诉": [1],
        "矛盾纠纷调解": [0],
        "普通信访": [2],
    }
    assert charts["satisfaction"]["percent"] is True
    assert charts["satisfaction"]["series"][0]["data"] == [0.75]
