"""Writing a run's results in bulk (COPY on PostgreSQL) and its monitoring figures."""

from __future__ import annotations

import io
import math
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.db import is_postgresql
from xinyong.evaluation.config import EvaluationModel
from xinyong.evaluation.engine import points_column, stores_zero, value_column
from xinyong.evaluation.models import EvaluationRun

SCORE_BINS = 10
PSI_ALERT = 0.25
_COLUMNS = ("run_id", "model_code", "subject_id", "score", "grade", "band_grade", "override")


def _value_json(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Utf8:
        escaped = (
            pl.col(column)
            .str.replace_all("\\", "\\\\", literal=True)
            .str.replace_all('"', '\\"', literal=True)
        )
        return pl.format('"{}"', escaped)
    return pl.col(column).cast(pl.Utf8)


def _present(model: EvaluationModel, frame: pl.DataFrame, code: str) -> pl.Expr:
    """Whether an indicator's pair is written: points, or a value (a zero value only where it
    differs from no value, see ``engine.stores_zero``)."""
    indicator = next(i for i in model.indicators() if i.code == code)
    value, points = value_column(code), points_column(code)
    present = (
        pl.col(value).is_not_null()
        if frame.schema[value] == pl.Utf8 or stores_zero(indicator)
        else pl.col(value).is_not_null() & (pl.col(value) != 0)
    )
    return (pl.col(points) != 0) | present


def _pair(indicator_code: str, dtype: pl.DataType) -> pl.Expr:
    value, points = value_column(indicator_code), points_column(indicator_code)
    return pl.format(
        '"{}":[{},{}]',
        pl.lit(indicator_code),
        _value_json(value, dtype).fill_null("null"),
        pl.col(points).cast(pl.Utf8),
    )


def contributions(model: EvaluationModel, frame: pl.DataFrame) -> pl.Series:
    """``{"code": [value, points], …}`` for the indicators with a value or points, one text
    per row. Each pair is formatted only on the rows that write it (most indicators are zero
    for most subjects), then put back at those rows and joined."""
    height = frame.height
    codes = [indicator.code for indicator in model.indicators()]
    found = pl.collect_all(
        [frame.lazy().select(pl.arg_where(_present(model, frame, code))) for code in codes]
    )
    written = [(code, rows.to_series()) for code, rows in zip(codes, found, strict=True)]
    written = [(code, rows) for code, rows in written if not rows.is_empty()]
    texts = pl.collect_all(
        [
            frame.lazy()
            .select(pl.col(value_column(code), points_column(code)).gather(rows))
            .select(_pair(code, frame.schema[value_column(code)]))
            for code, rows in written
        ]
    )
    pairs = [
        pl.Series(code, [None], dtype=pl.Utf8).new_from_index(0, height).scatter(rows, text)
        for (code, rows), text in zip(written, (t.to_series() for t in texts), strict=True)
    ]
    if not pairs:
        return pl.Series("contributions", ["{}"] * height, dtype=pl.Utf8)
    body = pl.concat_str(pairs, separator=",", ignore_nulls=True).fill_null("")
    joined = pl.select(pl.concat_str([pl.lit("{"), body, pl.lit("}")]))
    return joined.to_series().alias("contributions")


def result_table(model: EvaluationModel, run_id: int, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``evaluation_results`` for one run, contributions as JSON text."""
    return frame.select(
        pl.lit(run_id, dtype=pl.Int64).alias("run_id"),
        pl.lit(model.code).alias("model_code"),
        "subject_id",
        "score",
        "grade",
        "band_grade",
        "override",
    ).with_columns(contributions(model, frame))


def write_results(session: Session, table: pl.DataFrame) -> None:
    """Append the rows (COPY on PostgreSQL, executemany elsewhere)."""
    if table.is_empty():
        return
    if is_postgresql(session):
        connection = session.connection()
        buffer = io.BytesIO()
        table.write_csv(buffer, include_header=False, null_value="\\N", quote_style="necessary")
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        columns = ", ".join((*_COLUMNS, "contributions"))
        with cursor.copy(
            f"COPY evaluation_results ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
        ) as copy:
            copy.write(buffer.getvalue())
        return
    placeholders = ", ".join("?" for _ in range(len(_COLUMNS) + 1))
    sql = (
        f"INSERT INTO evaluation_results ({', '.join((*_COLUMNS, 'contributions'))}) "
        f"VALUES ({placeholders})"
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, table.height, 50_000):
            cursor.executemany(sql, table.slice(start, 50_000).iter_rows())
    finally:
        cursor.close()


# --- monitoring ----------------------------------------------------------------------------


def histograms(model: EvaluationModel, frame: pl.DataFrame) -> dict[str, Any]:
    """Score histogram (fixed bins over the model's scale) and each indicator's points counts."""
    width = (model.max_score - model.min_score) / SCORE_BINS
    bins = (
        ((pl.col("score") - model.min_score) / width).floor().clip(0, SCORE_BINS - 1).cast(pl.Int32)
    )
    counted = frame.select(bins.alias("bin")).group_by("bin").len()
    score_counts = [0] * SCORE_BINS
    for row in counted.iter_rows():
        score_counts[int(row[0])] = int(row[1])
    indicators: dict[str, dict[str, int]] = {}
    codes = [indicator.code for indicator in model.indicators()]
    plans = [frame.lazy().group_by(pl.col(points_column(code)).round(1)).len() for code in codes]
    for code, counts in zip(codes, pl.collect_all(plans), strict=True):  # one query for all
        indicators[code] = {
            f"{float(points):g}": int(n) for points, n in sorted(counts.iter_rows())
        }
    return {"score": score_counts, "indicators": indicators}


def psi(expected: dict[str, int] | list[int], actual: dict[str, int] | list[int]) -> float:
    """Population stability index of two histograms (same bins; empty bins smoothed)."""
    if isinstance(expected, list) and isinstance(actual, list):
        keys: list[Any] = list(range(max(len(expected), len(actual))))
        e = {k: expected[k] if k < len(expected) else 0 for k in keys}
        a = {k: actual[k] if k < len(actual) else 0 for k in keys}
    else:
        assert isinstance(expected, dict) and isinstance(actual, dict)
        keys = sorted(set(expected) | set(actual))
        e, a = {k: expected.get(k, 0) for k in keys}, {k: actual.get(k, 0) for k in keys}
    total_e, total_a = sum(e.values()), sum(a.values())
    if total_e == 0 or total_a == 0:
        return 0.0
    value = 0.0
    for key in keys:
        pe = max(e[key] / total_e, 1e-4)
        pa = max(a[key] / total_a, 1e-4)
        value += (pa - pe) * math.log(pa / pe)
    return round(value, 6)


def previous_full_run(session: Session, *, model_code: str, before_id: int) -> EvaluationRun | None:
    """The model's latest full run before this one."""
    stmt = (
        select(EvaluationRun)
        .where(
            EvaluationRun.model_code == model_code,
            EvaluationRun.mode == "full",
            EvaluationRun.id < before_id,
        )
        .order_by(EvaluationRun.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def monitor(session: Session, run: EvaluationRun) -> None:
    """PSI of scores and per-indicator drift against the previous full run (full runs only)."""
    if run.mode != "full":
        return
    previous = previous_full_run(session, model_code=run.model_code, before_id=run.id)
    if previous is None or not previous.histograms:
        return
    run.previous_run_id = previous.id
    run.psi = psi(previous.histograms["score"], run.histograms["score"])
    before = previous.histograms.get("indicators", {})
    run.drift = {
        code: psi(before.get(code, {}), counts)
        for code, counts in run.histograms.get("indicators", {}).items()
    }
    run.drift_flagged = run.psi > PSI_ALERT or any(v > PSI_ALERT for v in run.drift.values())
