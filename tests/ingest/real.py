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
from pathlib import Path

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
