"""Reading submitted files: encodings, delimiters, rows as the clerk numbers them, JSON Lines."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from tests.ingest import files
from xinyong.ingest.mapping import map_headers
from xinyong.ingest.readers import IngestFileError, RawRow, Source, open_source

HEADERS = ["行政相对人名称", "统一社会信用代码", "备注"]


def rows_of(source: Source) -> list[RawRow]:
    return list(source.rows())


def refused(path: Path, **kw: Any) -> IngestFileError:
    with pytest.raises(IngestFileError) as caught:
        source = open_source(path, **kw)
        rows_of(source)
    return caught.value


def penalty_csv(path: Path, count: int, *, encoding: str = "gbk") -> tuple[Path, list[list[str]]]:
    headers, rows = files.table("admin_penalty", files.payloads("admin_penalty", count))
    return files.write_csv(path, headers, rows, encoding=encoding), rows


# --- encodings ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_generated_penalties_read_back_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path, rows = penalty_csv(tmp_path / "p.csv", 40, encoding=encoding)
    source = open_source(path)
    assert (source.format, source.encoding, source.sheet) == ("csv", encoding, None)
    assert source.headers[0] == "行政相对人名称"  # no BOM left on the first header
    read = rows_of(source)
    assert [r.number for r in read] == list(range(2, 42))
    assert [list(r.cells.values()) for r in read] == rows
    assert map_headers(files.item(), source.headers).fields["处罚决定日期"] == "decision_date"


def test_gb18030_is_told_from_gbk(tmp_path: Path) -> None:
    rows = [["𠮷野家餐饮有限公司", "91320505MA1XXXXXX", "四字节字符"]]  # 𠮷 is not in GBK
    path = files.write_csv(tmp_path / "g.csv", HEADERS, rows, encoding="gb18030")
    assert open_source(path).encoding == "gb18030"
    assert rows_of(open_source(path))[0].cells["行政相对人名称"].startswith("𠮷")
    plain = files.write_csv(
        tmp_path / "k.csv", HEADERS, [["苏州华信", "x", "y"]], encoding="gb18030"
    )
    assert open_source(plain).encoding == "gbk"  # GB18030 bytes that are GBK are GBK


def test_a_late_gb18030_row_upgrades_a_gbk_file(tmp_path: Path) -> None:
    rows = [[f"苏州第{n}号商行", "91320505MA1XXXXXX", "备注内容" * 10] for n in range(3000)]
    rows.append(["𠮷野家", "91320505MA1XXXXXX", "末行"])
    path = files.write_csv(tmp_path / "late.csv", HEADERS, rows, encoding="gb18030")
    source = open_source(path)
    assert source.encoding == "gbk"
    read = rows_of(source)
    assert read[-1].cells["行政相对人名称"] == "𠮷野家" and read[-1].number == 3002
    assert source.encoding == "gb18030"
    assert any("GB18030" in note for note in source.notes)


def test_encoding_override(tmp_path: Path) -> None:
    path, _ = penalty_csv(tmp_path / "p.csv", 3)
    assert open_source(path, encoding="GBK").encoding == "gbk"
    wrong = refused(path, encoding="utf-8")
    assert wrong.details["reason"] == "encoding" and wrong.details["row"] == 1
    assert "cannot be decoded as UTF-8" in wrong.message
    assert refused(path, encoding="klingon").details["reason"] == "encoding"


def test_mixed_encoding_names_a_row_far_beyond_the_sample(tmp_path: Path) -> None:
    body = "".join(
        f"苏州第{n}号商行,91320505MA1XXXXXX,说明文字说明文字\r\n" for n in range(2, 4001)
    )
    late = "苏州末行商行,91320505MA1XXXXXX,这一行是GBK\r\n".encode("gbk")
    data = (",".join(HEADERS) + "\r\n" + body).encode("utf-8") + late
    assert len(data) > 64 * 1024
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    source = open_source(path)
    assert source.encoding == "utf-8"
    error = refused(path)
    assert (error.details["reason"], error.details["row"]) == ("encoding", 4001)
    assert "row 4001" in error.message and "UTF-8" in error.message


def test_utf8_rows_in_a_gbk_file_are_refused(tmp_path: Path) -> None:
    head = (",".join(HEADERS) + "\r\n").encode("gbk")
    body = "".join(f"苏州第{n}号商行,91320505MA1XXXXXX,说明\r\n" for n in range(2, 2001))
    late = "苏州末行商贸有限公司,91320505MA1XXXXXX,这一行是UTF-8编码\r\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(head + body.encode("gbk") + late)
    assert open_source(path).encoding == "gbk"
    error = refused(path)
    assert error.details["row"] == 2001 and "is UTF-8 while the file is GBK" in error.message


def test_bytes_that_no_encoding_decodes(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(",".join(HEADERS).encode("gbk") + b"\r\na,b,c\r\nd,\xff\xff,f\r\n")
    error = refused(path)
    assert error.details["reason"] == "encoding" and error.details["row"] == 3


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    path = files.write_csv(
        tmp_path / "u.txt", HEADERS, [["苏州华信", "x", "y"]], encoding="utf-16", delimiter="\t"
    )
    assert path.read_bytes().startswith(codecs.BOM_UTF16_LE)
    source = open_source(path)
    assert source.encoding == "utf-16"
    assert rows_of(source)[0].cells == dict(zip(HEADERS, ["苏州华信", "x", "y"], strict=True))


# --- shape ----------------------------------------------------------------------------


def test_quoted_newlines_keep_row_numbers_as_excel_shows_them(tmp_path: Path) -> None:
    rows = [["甲", "1", "第一行\n第二行"], ["乙", "2", "普通"], ["", "", ""], ["丙", "3", "x"]]
    source = open_source(files.write_csv(tmp_path / "q.csv", HEADERS, rows))
    read = rows_of(source)
    assert [r.number for r in read] == [2, 3, 5]  # the empty row keeps its number
    assert read[0].cells["备注"] == "第一行\n第二行"


def test_title_row_is_skipped_and_noted(tmp_path: Path) -> None:
    data = "2024年行政处罚信息,,\r\n" + ",".join(HEADERS) + "\r\n甲,1,x\r\n"
    path = tmp_path / "t.csv"
    path.write_bytes(data.encode("gbk"))
    source = open_source(path)
    assert source.header_row == 2 and source.headers == HEADERS
    assert source.notes == ["title row 1 skipped: '2024年行政处罚信息'"]
    assert [r.number for r in rows_of(source)] == [3]


def test_trailing_empty_rows_and_cells_are_ignored(tmp_path: Path) -> None:
    data = ",".join(HEADERS) + ",\r\n甲,1,x,\r\n乙,2,y\r\n,,,\r\n\r\n,,\r\n"
    path = tmp_path / "e.csv"
    path.write_bytes(data.encode("gbk"))
    source = open_source(path)
    assert source.headers == HEADERS
    assert [(r.number, r.cells["行政相对人名称"]) for r in rows_of(source)] == [
        (2, "甲"),
        (3, "乙"),
    ]


@pytest.mark.parametrize("name", ["t.tsv", "t.txt", "t.csv"])
def test_tab_separated_text(tmp_path: Path, name: str) -> None:
    path = files.write_csv(tmp_path / name, HEADERS, [["甲,乙", "1", "x"]], delimiter="\t")
    assert rows_of(open_source(path))[0].cells["行政相对人名称"] == "甲,乙"


def test_truncated_csv_names_the_row(tmp_path: Path) -> None:
    path, _ = penalty_csv(tmp_path / "p.csv", 30)
    data = path.read_bytes()
    last = data.rindex(b"\r\n", 0, len(data) - 2) + 2  # the last row starts here
    path.write_bytes(data[: data.index(b",", data.index(b",", last) + 1)])  # two cells kept
    error = refused(path)
    assert (error.details["reason"], error.details["row"]) == ("cell_count", 31)
    assert "truncated" in error.message
    mid_character = data[: data.index("号".encode("gbk"), last) + 1]
    path.write_bytes(mid_character)
    error = refused(path)
    assert (error.details["reason"], error.details["row"]) == ("truncated", 31)


def test_extra_cells_name_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes((",".join(HEADERS) + "\r\n甲,1,x\r\n乙,2,y,多余\r\n").encode("gbk"))
    error = refused(path)
    assert error.details == {"reason": "cell_count", "row": 3, "column": "D"}
    assert "'多余'" in error.message


def test_data_under_an_empty_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("名称,,代码\r\n甲,,1\r\n乙,漏了表头,2\r\n".encode("gbk"))
    source = open_source(path)
    assert source.headers == ["名称", "代码"]
    error = refused(path)
    assert error.details == {"reason": "unnamed_column", "row": 3, "column": "B"}


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert refused(empty).details["reason"] == "empty"
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\r\n,,\r\n  \r\n")
    assert refused(blank).details["reason"] == "empty"
    header_only = files.write_csv(tmp_path / "h.csv", HEADERS, [["", "", ""]])
    error = refused(header_only)
    assert error.details["reason"] == "no_rows" and "no data rows" in error.message


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = files.sparse(tmp_path / "big.csv", 1 << 30)
    error = refused(big)
    assert error.details["reason"] == "too_large" and "1,073,741,824 bytes" in error.message
    small = files.write_csv(tmp_path / "s.csv", HEADERS, [["甲", "1", "x"]])
    assert refused(small, max_bytes=10).details["reason"] == "too_large"


def test_format_follows_the_bytes_not_the_name(tmp_path: Path) -> None:
    workbook = files.write_xlsx(tmp_path / "w.xlsx", HEADERS, [["甲", "1", "x"]])
    disguised = tmp_path / "w.csv"
    disguised.write_bytes(workbook.read_bytes())
    source = open_source(disguised)
    assert source.format == "xlsx" and "read as XLSX" in source.notes[0]
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert refused(old).details["reason"] == "unsupported_format"
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes("名称,代码\r\n甲,1\r\n".encode("gbk"))
    assert refused(fake).details["reason"] == "not_xlsx"


# --- JSON Lines -----------------------------------------------------------------------


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"subject_name": "甲", "fine_amount": 1.5}\n\n{"subject_name": "乙"}\n')
    source = open_source(path)
    assert (source.format, source.headers) == ("jsonl", ["subject_name", "fine_amount"])
    read = rows_of(source)
    assert [(r.number, r.cells) for r in read] == [
        (1, {"subject_name": "甲", "fine_amount": 1.5}),
        (3, {"subject_name": "乙"}),
    ]
    path.write_text('{"subject_name": "甲"}\n{"subject_name": \n')
    error = refused(path)
    assert (error.details["reason"], error.details["row"]) == ("json_syntax", 2)
    path.write_text('{"subject_name": "甲"}\n["not", "an", "object"]\n')
    assert "not an object" in refused(path).message
    guessed = tmp_path / "upload"
    guessed.write_text('{"subject_name": "甲"}\n')
    assert open_source(guessed).format == "jsonl"
