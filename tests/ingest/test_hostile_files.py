"""Files that are broken, hostile or odd: zip bombs, damaged workbooks, merges, hidden sheets,
unbalanced quotes, markup and formulas — and the report that must never run a formula."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.ingest import files
from xinyong.core.config import reset_settings
from xinyong.ingest import xlsx
from xinyong.ingest.mapping import map_headers
from xinyong.ingest.readers import IngestFileError, RawRow, Source, open_source
from xinyong.ingest.report import STATUS_COLUMN, write_report
from xinyong.ingest.values import RowParser

HEADERS = ["行政相对人名称", "统一社会信用代码", "备注"]
ROWS = [["甲公司", "91320505MA1XXXXXX", "一"], ["乙公司", "91320505MA1YYYYYY", "二"]]


def refused(path: Path, **kw: Any) -> IngestFileError:
    with pytest.raises(IngestFileError) as caught:
        list(open_source(path, **kw).rows())
    return caught.value


def workbook(tmp_path: Path, **kw: Any) -> Path:
    return files.write_xlsx(tmp_path / "w.xlsx", HEADERS, ROWS, **kw)


# --- archives -------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_openpyxl_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kw: Any) -> None:
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(xlsx, "load_workbook", never)
    bomb = files.zip_bomb(tmp_path / "bomb.xlsx", inflated=40 << 20)  # 40 MiB of zeros
    assert bomb.stat().st_size < 200_000
    error = refused(bomb)
    assert error.details["reason"] == "zip_bomb" and "zip bomb" in error.message


def test_workbooks_inflating_past_the_setting_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = files.write_xlsx(tmp_path / "w.xlsx", HEADERS, ROWS * 200)
    with zipfile.ZipFile(path) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    monkeypatch.setenv("XINYONG_INGEST_MAX_XLSX_UNCOMPRESSED", str(inflated - 1))
    reset_settings()
    try:
        assert refused(path).details["reason"] == "zip_bomb"
    finally:
        monkeypatch.delenv("XINYONG_INGEST_MAX_XLSX_UNCOMPRESSED")
        reset_settings()
    assert len(list(open_source(path).rows())) == 400


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.95])
def test_truncated_workbook_is_a_clear_error(tmp_path: Path, keep: float) -> None:
    path = files.truncate(workbook(tmp_path), keep)
    error = refused(path)
    assert error.details["reason"] == "damaged" and "truncated" in error.message


def test_damaged_sheet_data_is_a_clear_error(tmp_path: Path) -> None:
    path = files.write_xlsx(tmp_path / "w.xlsx", HEADERS, ROWS * 500)
    part = files.sheet_part(path, "处罚信息")

    def damage(data: bytes) -> bytes:
        return data[: len(data) // 2] + b'<c r="A"><v>oops</broken>' + data[len(data) // 2 :]

    files.edit_zip(path, {part: damage})
    error = refused(path)
    assert error.details["reason"] == "damaged"


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(path).details["reason"] == "not_xlsx"


# --- sheets and merges ----------------------------------------------------------------


def test_hidden_sheet_is_noted_and_never_read_silently(tmp_path: Path) -> None:
    path = workbook(tmp_path, extra_sheets={"草稿": [HEADERS, ["丙", "x", "y"]]}, first="草稿")
    files.hide_sheet(path, "草稿")
    source = open_source(path)
    assert source.sheet == "处罚信息"
    assert "hidden sheet '草稿' ignored" in source.notes
    assert [r.cells["行政相对人名称"] for r in source.rows()] == ["甲公司", "乙公司"]
    named = open_source(path, sheet="草稿")
    assert [r.cells["行政相对人名称"] for r in named.rows()] == ["丙"]
    assert any("is hidden; read because it was named" in note for note in named.notes)


def test_named_and_unknown_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path, extra_sheets={"第二批": [HEADERS, ["丁", "x", "y"]]})
    first = open_source(path)
    assert first.sheet == "处罚信息" and "sheet '第二批' not read" in first.notes[0]
    assert [r.cells["行政相对人名称"] for r in open_source(path, sheet="第二批").rows()] == ["丁"]
    error = refused(path, sheet="第三批")
    assert error.details["reason"] == "unknown_sheet"
    assert "'处罚信息', '第二批'" in error.message


def test_merged_data_cells_are_refused_naming_the_range(tmp_path: Path) -> None:
    path = files.write_xlsx(tmp_path / "w.xlsx", HEADERS, ROWS * 3)
    files.add_merges(path, "处罚信息", "B3:B5")
    error = refused(path)
    assert error.details == {"reason": "merged_cells", "row": 3, "column": "B3:B5"}
    assert "B3:B5" in error.message


def test_merged_header_cells_are_refused(tmp_path: Path) -> None:
    path = files.add_merges(workbook(tmp_path), "处罚信息", "A1:B1")
    assert refused(path).details["column"] == "A1:B1"


def test_a_merged_title_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = workbook(tmp_path, above=[["2024年第三季度行政处罚信息"], []])
    files.add_merges(path, "处罚信息", "A1:C1")
    source = open_source(path)
    assert (source.header_row, source.headers) == (3, HEADERS)
    assert source.notes == ["title row 1 skipped: '2024年第三季度行政处罚信息'"]
    assert [r.number for r in source.rows()] == [4, 5]


def test_merges_are_found_across_chunks(tmp_path: Path) -> None:
    path = files.write_xlsx(tmp_path / "w.xlsx", HEADERS, ROWS * 20_000)
    files.add_merges(path, "处罚信息", "A1:C1", "C40000:C40001")
    part = files.sheet_part(path, "处罚信息")
    assert list(xlsx.merged_ranges(path, part)) == [("A", 1, "C", 1), ("C", 40000, "C", 40001)]


# --- cells ----------------------------------------------------------------------------


def test_xlsx_cells_keep_their_types_and_formulas_their_text(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["甲", '=HYPERLINK("http://x","y")', datetime(2024, 1, 5)]]
    path = files.write_xlsx(tmp_path / "w.xlsx", ["名称", "链接", "日期"], rows)
    (row,) = open_source(path).rows()
    assert row.cells == {"名称": "甲", "链接": '=HYPERLINK("http://x","y")', "日期": rows[0][2]}


def test_unbalanced_quote_and_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(('名称,代码\r\n甲,1\r\n"乙,2\r\n丙,3\r\n').encode("gbk"))
    error = refused(path)
    assert (error.details["reason"], error.details["row"]) == ("csv_syntax", 3)
    path.write_bytes(b"a,b\r\n1,\x002\r\n")
    assert refused(path).details["reason"] == "binary"


def test_endless_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b\r\n" + b"x" * (9 << 20))
    assert refused(path).details["reason"] == "line_too_long"


# --- the report -----------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","点此")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "<script>alert(1)</script>",
    "响铃\x07字符",
]


def test_report_round_trip_quotes_formulas_and_keeps_row_numbers(tmp_path: Path) -> None:
    rows = [["甲公司", "91320505MA1XXXXXX", text] for text in HOSTILE]
    rows.insert(3, ["", "", ""])
    path = tmp_path / "h.csv"
    path.write_bytes("2024年处罚信息,,\r\n".encode("gbk") + files.csv_bytes(HEADERS, rows))
    source = open_source(path)
    numbers = [r.number for r in source.rows()]
    assert numbers == [3, 4, 5, 7, 8, 9, 10]
    outcomes = {n: ("accepted", "") for n in numbers} | {4: ("rejected", "[备注] bad")}
    outcomes[5] = ("拒收 rejected", "=1+1 is not a date")
    out = tmp_path / "report.xlsx"
    write_report(source, outcomes, out)
    sheet = load_workbook(out).worksheets[0]
    table = {row[0].row: row for row in sheet.iter_rows()}
    assert table[1][0].value == "2024年处罚信息"
    assert [c.value for c in table[2]] == [*HEADERS, STATUS_COLUMN, "错误说明"]
    assert table[6][0].value is None  # the empty row keeps its place
    assert table[3][3].value == "新增 accepted" and table[4][3].value == "拒收 rejected"
    assert (table[4][4].value, table[5][4].value) == ("[备注] bad", "'=1+1 is not a date")
    for number in numbers:
        cell = table[number][2]
        assert cell.data_type == "s", (number, cell.data_type)
    assert table[3][2].value == "'" + HOSTILE[0]
    assert [table[n][2].value[:2] for n in (4, 5, 7, 8)] == ["'+", "'-", "'@", "'\t"]
    assert table[9][2].value == HOSTILE[5]  # markup is text
    assert table[10][2].value == "响铃\\x07字符"  # XML cannot hold the bell character
    streamed = load_workbook(out, read_only=True).worksheets[0]
    widths = {len(row) for row in streamed.iter_rows(min_row=3, values_only=True) if any(row)}
    assert widths == {len(HEADERS) + 2}  # the outcome columns are always there


def test_report_of_a_workbook_keeps_types(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["甲", "=1+1", datetime(2024, 1, 5)], ["乙", 12.5, None]]
    path = files.write_xlsx(tmp_path / "w.xlsx", ["名称", "公式", "日期"], rows)
    out = tmp_path / "r.xlsx"
    write_report(open_source(path), {2: ("unchanged", "")}, out)
    sheet = load_workbook(out).worksheets[0]
    second, third = list(sheet.iter_rows(min_row=2, max_row=3))
    assert second[1].value == "'=1+1" and second[1].data_type == "s"
    assert second[2].value == datetime(2024, 1, 5) and second[3].value == "未变 unchanged"
    assert third[1].value == 12.5 and third[3].value is None


def test_markup_and_formulas_survive_parsing_verbatim(tmp_path: Path) -> None:
    payload = files.payloads("admin_penalty", 1)[0]
    payload["remarks"] = HOSTILE[0]
    payload["violation_facts"] = "<script>alert(1)</script>\n<b>加粗</b>"
    headers, rows = files.table("admin_penalty", [payload])
    source: Source = open_source(files.write_csv(tmp_path / "p.csv", headers, rows))
    parser = RowParser(map_headers(files.item(), source.headers), today=files.ANCHOR)
    (row,) = source.rows()
    parsed, errors = parser.parse(RawRow(row.number, row.cells))
    assert not errors and parsed is not None
    assert parsed["remarks"] == HOSTILE[0]
    assert parsed["violation_facts"] == "<script>alert(1)</script>\n<b>加粗</b>"


def test_report_of_a_file_that_breaks_part_way_says_where(tmp_path: Path) -> None:
    head = files.csv_bytes(HEADERS, ROWS, encoding="utf-8")
    path = tmp_path / "broken.csv"
    path.write_bytes(head + "丙公司,x,这一行是GBK\r\n".encode("gbk"))
    out = tmp_path / "r.xlsx"
    write_report(open_source(path), {2: ("accepted", ""), 3: ("accepted", "")}, out)
    table = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in table] == ["行政相对人名称", "甲公司", "乙公司", None]
    assert table[3][3] == "文件错误 file error" and "row 4" in str(table[3][4])
