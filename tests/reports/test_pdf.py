"""The PDF as people read it: poppler extracts the text and renders the pages."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.reports.helpers import FULL_ID, firm, issue, pdf_text, render_pages
from xinyong.identity import codes
from xinyong.reports import render, service

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs poppler-utils"
)
ID_LIKE = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")


def test_third_party_pdf_sections_watermark_number_and_no_id_number(session: Session) -> None:
    f = firm(session, penalties=4)
    report = issue(
        session, f.bank, f.subject, "bank", channel="authorised", purpose="流动资金贷款审批"
    )
    pdf = service.pdf_of(session, report)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)
    for title in (
        "一、基本信息",
        "二、行政处罚信息",
        "三、名单信息",
        "四、纳税信用及综合评价",
        "七、司法信息",
        "八、异议与信用修复权利说明",
    ):
        assert title in flat, title
    assert "公共信用信息报告（信易贷授权版）" in flat
    assert "暂无信用评价结果" in flat and "无失信被执行人信息" in flat
    assert "仅供苏州银行股份有限公司测试支行" in flat and "用于流动资金贷款审批" in flat
    pages = int(re.search(r"共(\d+)页", flat).group(1))  # type: ignore[union-attr]
    assert flat.count(report.number) >= pages + 1  # the running header, and the particulars
    assert f"第{pages}页/共{pages}页" in flat
    assert FULL_ID not in text and "王建国" not in text  # the person is masked (王*国)
    assert not [m for m in ID_LIKE.findall(text) if codes.is_valid_id_number(m)]
    images = render_pages(pdf, "bank-version")
    assert len(images) == pages and all(p.stat().st_size > 10_000 for p in images)


def test_special_report_pdf_lists_domains_and_the_period(session: Session) -> None:
    f = firm(session, penalties=1)
    report = issue(session, f.owner, f.subject, "special", purpose="政府采购投标")
    flat = re.sub(r"\s+", "", pdf_text(service.pdf_of(session, report)))
    assert "专用信用报告（替代有无违法违规记录证明）" in flat
    for domain in (
        "市场监管领域",
        "税务领域",
        "生态环境领域",
        "安全生产领域",
        "人力资源和社会保障领域",
        "住房和城乡建设领域",
        "消防安全领域",
    ):
        assert domain in flat
    assert "报告期内发现违法违规记录1条" in flat and "报告期内未发现违法违规记录" in flat
    assert report.content["period"]["from"] in flat
    render_pages(service.pdf_of(session, report), "special")


def test_own_report_pdf_and_xlsx_annex(session: Session) -> None:
    f = firm(session, penalties=2)
    report = issue(session, f.owner, f.subject)
    flat = re.sub(r"\s+", "", pdf_text(service.pdf_of(session, report)))
    assert "王建国" in flat and FULL_ID not in flat
    assert "报告期内无行政许可信息" in flat and "暂无信用评价结果" in flat
    render_pages(service.pdf_of(session, report), "own")
    book = load_workbook(BytesIO(render.xlsx({**report.content, "_digest": "d"})))
    meta, data = book.worksheets
    assert meta["B1"].value == report.number
    numbers = {row[4] for row in data.iter_rows(values_only=True) if row[3] == "行政处罚决定书文号"}
    assert numbers == {r.source_record_id for r in f.penalties}
    assert zipfile.is_zipfile(BytesIO(render.xlsx(report.content)))


def test_pdf_has_the_screen_text_of_every_record(session: Session) -> None:
    f = firm(session, penalties=3)
    report = issue(session, f.owner, f.subject, "public_legal")
    screen = render.html(report.content)
    flat = re.sub(r"\s+", "", pdf_text(service.pdf_of(session, report)))
    records = [
        re.sub(r"\s+", "", html_lib.unescape(re.sub(r"<[^>]+>", "", p)))
        for p in re.findall(r'<p class="kv">(.*?)</p>', screen, flags=re.S)
    ]
    assert len(records) >= 3
    for record in records:
        assert record in flat, record


HOSTILE = (
    '#read("/etc/passwd") ] #{ panic("x") } $x^2$ *b* _i_ @ref <lbl> `raw` \\ \\u{41} '
    "// c /* c */ = H\n- item\n+ n / term: x ~ \u202eשלום\u202c مرحبا"
)


def test_hostile_values_are_printed_literally_and_nothing_is_read() -> None:
    text = HOSTILE.replace("\n", " ")
    content = {
        "number": "XY20260101ABCDEF01",
        "type_name": {"zh": "公共信用信息报告（公开版）", "en": "Public report"},
        "audience_name": {"zh": text, "en": text},
        "subject": {"kind": "legal_person", "name": HOSTILE, "code": "]#{"},
        "requester": HOSTILE,
        "purpose": '#{read("/etc/hostname")}',
        "issued_at_local": "2026-01-01 08:00:00",
        "as_of": "2026-01-01",
        "valid_until": "2026-04-01",
        "period": None,
        "watermark": {"zh": HOSTILE, "en": HOSTILE},
        "sections": [
            {
                "key": "penalties",
                "kind": "records",
                "title": {"zh": "二、行政处罚信息", "en": "2. Penalties"},
                "empty": {"zh": "无", "en": "None"},
                "rows": [
                    {
                        "item_name": {"zh": "行政处罚信息", "en": "Penalty"},
                        "decision_date": "2025-12-01",
                        "under_objection": True,
                        "fields": [
                            {"label": {"zh": "处罚内容", "en": "C"}, "value": {"zh": v, "en": v}}
                            for v in (HOSTILE, '#include "/etc/passwd"', "\\", "A" * 200)
                        ],
                    }
                ],
                "entries": [],
                "is_empty": False,
            }
        ],
        "_digest": "ab" * 32,
        "_digest_algorithm": "SHA256",
    }
    pdf = render.pdf(render.print_data(content))
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    for fragment in ('#read("/etc/passwd")', "]#{panic", "$x^2$*b*_i_@ref<lbl>`raw`", "//c/*c*/"):
        assert flat.count(fragment) >= 3, fragment  # subject, requester, record (+ watermark)
    assert '#{read("/etc/hostname")}' in flat and '#include"/etc/passwd"' in flat
    render_pages(pdf, "hostile")
    assert "root:" not in flat  # /etc/passwd was not read
    # And the compiler could not have read it: its root is an empty directory.
    import typst

    with pytest.raises(typst.TypstError):
        render._typst().compiler.compile(b'#read("/etc/passwd")', format="pdf")
    assert "A" * 200 in flat


def test_english_pdf_has_english_labels_and_page_numbers(session: Session) -> None:
    f = firm(session, penalties=2)
    request = service.Request(
        f.subject.id, "public_legal", "a tender bid", f.owner, "online", lang="en"
    )
    report = service.issue(session, request=request)
    pdf = service.pdf_of(session, report)
    text = pdf_text(pdf)
    pages = len(render_pages(pdf, "english"))
    assert f"Page {pages} of {pages}" in text
    assert "Report number" in text and "Content digest" in text and report.number in text
    assert "For 瑞丰" in text and "only, to a tender bid" in text  # the watermark in English
