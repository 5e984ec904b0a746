"""A bureau's labelled history (CSV or XLSX): good files become records, bad ones a clear error
naming row and column, exit status 2, and no artifact written."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.router.classifier import Classifier
from services.router.cli import evaluate, train
from services.router.training.history import HistoryError, read_history

GOOD = [
    ("小区停电", "我们小区这个月停电五次了，供电局也不给个说法", "城乡建设", "城市建设和市政管理"),
    ("摆摊占道", "菜市场门口天天有人摆摊占道，城管不来管", "城乡建设", ""),
    ("建材垄断", "本县建材协会垄断价格，外地建材进不来", "商贸旅游", "商业贸易"),
]


def write_csv(path: Path, header: list[str], rows: Sequence[tuple[str, ...]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: Sequence[tuple[str, ...]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_accepted_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "h.csv", ["title", "text", "area", "category"], GOOD, encoding)
    records = read_history(path)
    assert [r.area.value for r in records] == ["城乡建设", "城乡建设", "商贸旅游"]
    assert [r.category for r in records] == ["城市建设和市政管理", None, "商业贸易"]
    assert all(r.track is None and r.source == "history" and r.id.startswith("history-") for r in records)


def test_xlsx_with_chinese_headers_and_no_category_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", ["标题", "内容", "一级分类"], [row[:3] for row in GOOD])
    records = read_history(path)
    assert len(records) == 3
    assert all(r.category is None for r in records)


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (["title", "text", "area"], [("t", "我们小区停电五次了", "电力")], "row 2, column area"),
        (
            ["title", "text", "area", "category"],
            [*GOOD[:1], ("t", "房屋征收补偿不到位", "国土资源", "城管执法")],
            "row 3, column category",
        ),
        (["title", "area"], [("t", "城乡建设")], "row 1: missing column text"),
        (["title", "text", "area"], [("t", "", "城乡建设")], "row 2, column text: empty"),
    ],
)  # fmt: skip
def test_bad_rows_are_named(tmp_path: Path, header: list[str], rows: list[tuple[str, ...]], message: str) -> None:
    with pytest.raises(HistoryError, match=message):
        read_history(write_csv(tmp_path / "bad.csv", header, rows))
    with pytest.raises(HistoryError, match=message):
        read_history(write_xlsx(tmp_path / "bad.xlsx", header, rows))


def test_undecodable_bytes_and_a_broken_workbook(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_bytes(b"title,text,area\n\x80\xff\x80\xff,\xff\xfe\x80,\x80\n")
    with pytest.raises(HistoryError, match="neither UTF-8 nor GB18030"):
        read_history(tmp_path / "bad.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(HistoryError, match="XLSX"):
        read_history(tmp_path / "bad.xlsx")


def test_train_with_a_bad_history_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_csv(tmp_path / "bad.csv", ["title", "text", "area"], [GOOD[0][:3], ("t", "路灯坏了半个月", "路政")])
    models = tmp_path / "models"
    output = tmp_path / "current.joblib"
    status = train.main(["--history", str(bad), "--output", str(output), "--models-dir", str(models)])
    captured = capsys.readouterr()
    assert status == 2
    assert "row 3, column area" in captured.err
    assert captured.out == ""
    assert not output.exists() and not models.exists()


def test_evaluate_reports_history_separately(
    tmp_path: Path, model_path: Path, classifier: Classifier, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_csv(tmp_path / "h.csv", ["title", "text", "area", "category"], GOOD)
    assert evaluate.main(["--model", str(model_path), "--history", str(good)]) == 0
    out = capsys.readouterr().out
    assert "history file h.csv: 3 rows, 0 of them trained on" in out
    assert "history rows the model did not train on: 3 records, area accuracy" in out
    assert f"model version {classifier.model.version}" in out
