"""Real exports for the regression tests and the bench: the registry sample of ../shared as a
department's system writes it (GBK, the national registration headers, amounts as they are).

The sample's own columns are kept as exported (企业名称, 统一社会信用代码, 注册日期, 企业类型,
注册资金 → 注册资本, 注册地址); the columns every registration export has but the sample lacks
are filled the way registration systems fill them: 登记机关 from the sample's city, 核准时间 =
注册日期 (approved when registered), 经营状态 存续. There is no 行政相对人类别 column: the
category is derived from the code. Rows whose values are beyond GBK make the file GB18030.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

from xinyong.identity import codes

REGISTRY_SAMPLE = "registry/enterprise_registry_sample.csv"
REGISTRY_HEADERS = (
    "企业名称", "统一社会信用代码", "企业类型", "注册资本", "注册日期", "注册地址",
    "登记机关", "核准时间", "经营状态",
)  # fmt: skip
REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_REAL = REPO_ROOT.parent / "shared" / "data" / "real"


def registry_rows(source: Path) -> list[list[str]]:
    """The sample's rows under ``REGISTRY_HEADERS``."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        [
            row["企业名称"], row["统一社会信用代码"], row["企业类型"], row["注册资金"],
            row["注册日期"], row["注册地址"], f"{row['地区'] or row['所在省份']}市场监督管理局",
            row["注册日期"], "存续",
        ]
        for row in rows
    ]  # fmt: skip


def registry_file(source: Path, target: Path) -> Path:
    """The sample written as a registration export (GBK, GB18030 where GBK cannot say it)."""
    with target.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REGISTRY_HEADERS)
        writer.writerows(registry_rows(source))
    return target


# --- what a genuine defect of a row is ----------------------------------------------------

_BAD_GROUPING = re.compile(r"\d,(?:\d{1,2}|\d{4,})(?![\d])|,,|^,|\d{4,},")


def _bad_amount(value: str, reason: str) -> bool:
    """An amount whose number is malformed (13,1000000: misplaced thousands separators)."""
    return "无法识别" in reason and bool(_BAD_GROUPING.search(value.replace("，", ",")))


def _bad_code(value: str, reason: str) -> bool:
    return not codes.validate_uscc(value).valid


def _bad_date(value: str, reason: str) -> bool:
    return "晚于今天" in reason or "无效" in reason or "无法识别" in reason


def _empty(value: str, reason: str) -> bool:
    return not value.strip() and reason.startswith("必填项为空")


def _too_long(value: str, reason: str) -> bool:
    return "超过" in reason and len(value) > 200


# Column -> the defects a real export's row may genuinely have there (each checks the value).
GENUINE_DEFECTS: dict[str, tuple[Callable[[str, str], bool], ...]] = {
    "注册资本": (_bad_amount,),
    "罚款金额(万元)": (_bad_amount,),
    "没收违法所得": (_bad_amount,),
    "统一社会信用代码": (_bad_code, _empty),
    "统一社会信用代码(身份证号码)": (_bad_code, _empty),
    "企业名称": (_empty, _too_long),
    "行政相对人名称": (_empty, _too_long),
    "注册日期": (_bad_date, _empty),
    "核准时间": (_bad_date, _empty),
}


def is_genuine(column: str, value: str, reason: str) -> bool:
    """Whether a rejection names a real defect of the row's value (not a rule too narrow)."""
    return any(check(value, reason) for check in GENUINE_DEFECTS.get(column, ()))
