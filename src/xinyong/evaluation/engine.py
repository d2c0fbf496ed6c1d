"""The scoring engine on Polars: features, points, scores, grades and overrides.

Every step is per subject, so any partition of the subjects (a Dask partition, the flagged
subjects of an incremental run) gives each subject exactly what a full run gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl
from dateutil.relativedelta import relativedelta

from xinyong.evaluation.config import (
    SEVERITY_RANK,
    Aggregation,
    EvaluationModel,
    Filter,
    Indicator,
    Scoring,
    SourceKind,
)
from xinyong.evaluation.frames import Inputs


def value_column(code: str) -> str:
    """The result column holding an indicator's value."""
    return f"v__{code}"


def points_column(code: str) -> str:
    """The result column holding an indicator's weighted points."""
    return f"p__{code}"


def stores_zero(indicator: Indicator) -> bool:
    """Whether a zero value is stored even without points: a rate with nothing to measure
    has no value, so a stored 0% and a missing value tell "all breached" from "none decided"."""
    return indicator.source.kind == SourceKind.commitments and (
        indicator.source.measure == "fulfilment_rate"
    )


def _months_between(earlier: pl.Expr, as_of: date) -> pl.Expr:
    """Whole months from ``earlier`` to ``as_of``."""
    months = (as_of.year * 12 + as_of.month) - (earlier.dt.year() * 12 + earlier.dt.month())
    return months - (earlier.dt.day() > as_of.day).cast(pl.Int32)


def window_start(indicator: Indicator, as_of: date) -> date | None:
    """Records decided after this day count (None: no window)."""
    months = indicator.window_months()
    return None if months is None else as_of - relativedelta(months=months)


def _filter_expr(spec: Filter) -> pl.Expr:
    column = pl.col(f"f_{spec.field}")
    value = spec.value
    if spec.op == "eq":
        return column == str(value)
    if spec.op == "in":
        return column.is_in([str(v) for v in (value if isinstance(value, list) else [value])])
    if spec.op == "contains":
        decoded = column.str.json_decode(pl.List(pl.Utf8))
        return decoded.list.contains(str(value)).fill_null(False)
    number = column.cast(pl.Float64, strict=False)
    bound = float(value) if not isinstance(value, list) else float(value[0])
    return number >= bound if spec.op == "gte" else number <= bound


def record_condition(indicator: Indicator, as_of: date, departments: Mapping[int, str]) -> pl.Expr:
    """Which rows of the records frame an indicator counts."""
    source = indicator.source
    condition = pl.col("item_code") == source.item
    if source.severity:
        condition &= pl.col("severity").is_in(list(source.severity))
    if source.departments:
        wanted = [d for d, kind in departments.items() if kind in set(source.departments)]
        condition &= pl.col("department_id").is_in(wanted)
    for spec in source.where:
        condition &= _filter_expr(spec)
    start = window_start(indicator, as_of)
    if start is not None:
        condition &= pl.col("decision_date") > start
    return condition.fill_null(False)


# Per-subject reductions without a hash group-by: the records frame is ordered by subject, so
# a subject's count is the difference of a running sum between its last row and the last row
# of the subject before, and a maximum is a running maximum of ``group * SPAN + value`` (every
# key of a later subject is above every key of an earlier one). Integers only, so exact.
_DATE_OFFSET = 1 << 20  # days added so that every date (and "none", 0) is positive
_DATE_SPAN = 1 << 22
_RANK_SPAN = 8


def _group_number() -> pl.Expr:
    subject = pl.col("subject_id")
    return (subject != subject.shift(1)).fill_null(True).cast(pl.Int64).cum_sum()


def _running(indicator: Indicator, condition: pl.Expr, column: str) -> pl.Expr | None:
    """The running column an indicator's value is read from at each subject's last row."""
    agg = indicator.aggregation
    if agg in (Aggregation.count, Aggregation.exists):
        return condition.cast(pl.Int64).cum_sum().alias(column)
    group = pl.col("__group")
    if agg == Aggregation.max_severity:
        rank = pl.col("severity").replace_strict(SEVERITY_RANK, default=0, return_dtype=pl.Int64)
        key = pl.when(condition).then(rank + 1).otherwise(0)
        return (group * _RANK_SPAN + key).cum_max().alias(column)
    if agg == Aggregation.months_since_latest:
        days = pl.col("decision_date").cast(pl.Int64) + (_DATE_OFFSET + 1)
        key = pl.when(condition & pl.col("decision_date").is_not_null()).then(days).otherwise(0)
        return (group * _DATE_SPAN + key).cum_max().alias(column)
    return None  # sum: floats are summed by a group-by (a difference of sums is not exact)


def _at_subject_end(indicator: Indicator, column: str, as_of: date) -> pl.Expr:
    """The indicator's value from its running column, on the subjects' last rows."""
    agg = indicator.aggregation
    running = pl.col(column)
    if agg in (Aggregation.count, Aggregation.exists):
        count = running - running.shift(1).fill_null(0)
        return (count > 0 if agg == Aggregation.exists else count).cast(pl.Float64)
    group = pl.col("__group")
    if agg == Aggregation.max_severity:
        return (running - group * _RANK_SPAN - 1).clip(lower_bound=0).cast(pl.Float64)
    key = running - group * _DATE_SPAN
    latest = pl.when(key > 0).then(key - (_DATE_OFFSET + 1)).otherwise(None).cast(pl.Date)
    return _months_between(latest, as_of).cast(pl.Float64)


def _commitment_aggregate(indicator: Indicator, as_of: date) -> pl.Expr:
    """Kept, breached or the fulfilment rate (per cent of those decided) within the window."""
    start = window_start(indicator, as_of)
    counted = pl.lit(True) if start is None else pl.col("signed_on") > start
    kept = ((pl.col("status") == "fulfilled") & counted).sum().cast(pl.Float64)
    breached = ((pl.col("status") == "breached") & counted).sum().cast(pl.Float64)
    name = value_column(indicator.code)
    if indicator.source.measure == "kept":
        return kept.alias(name)
    if indicator.source.measure == "breaches":
        return breached.alias(name)
    decided = kept + breached
    rate = (kept * 100 / decided).round(1)
    return pl.when(decided > 0).then(rate).otherwise(None).alias(name)


def _records_features(model: EvaluationModel, inputs: Inputs, as_of: date) -> list[pl.LazyFrame]:
    """Every records indicator of the model, item by item: one pass over the item's records
    (running sums and maxima read at each subject's last row), sums by one group-by over the
    rows they count; field indicators from the latest counting record. One frame per item
    (a subject without records of the item is absent: its values are filled like a subject
    without records)."""
    indicators = [i for i in model.indicators() if i.source.kind == SourceKind.records]
    fields = [i for i in model.indicators() if i.source.kind == SourceKind.field]
    found: list[pl.LazyFrame] = []
    by_item: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_item.setdefault(str(indicator.source.item), []).append(indicator)
    if by_item:
        records = inputs.records
        if not records["subject_id"].is_sorted():
            records = records.sort("subject_id", maintain_order=True)
        # one pass coding the item (other items: null), then each item's filter is on integers
        items = pl.Enum(sorted(by_item))
        records = records.with_columns(pl.col("item_code").cast(items, strict=False))
        for item, item_indicators in by_item.items():
            part = records.lazy().filter(pl.col("item_code") == item)  # keeps the subject order
            found.append(_item_features(item_indicators, part, inputs, as_of))
    found.extend(_latest_field(indicator, inputs, as_of) for indicator in fields)
    return found


def _item_features(
    indicators: list[Indicator], records: pl.LazyFrame, inputs: Inputs, as_of: date
) -> pl.LazyFrame:
    running: list[pl.Expr] = []
    values: list[pl.Expr] = []
    sums: list[tuple[Indicator, pl.Expr]] = []
    for n, indicator in enumerate(indicators):
        condition = record_condition(indicator, as_of, inputs.departments)
        column = f"__r{n}"
        expr = _running(indicator, condition, column)
        if expr is None:
            sums.append((indicator, condition))
            continue
        running.append(expr)
        values.append(_at_subject_end(indicator, column, as_of).alias(value_column(indicator.code)))
    subject = pl.col("subject_id")
    last = (subject != subject.shift(-1)).fill_null(True)
    frame = (
        records.with_columns(_group_number().alias("__group"))
        .select("subject_id", "__group", *running, last.alias("__last"))
        .filter(pl.col("__last"))
        .select("subject_id", *values)
    )
    if sums:
        frame = frame.join(_sums(records, sums), on="subject_id", how="left")
    return frame


def _sums(records: pl.LazyFrame, sums: list[tuple[Indicator, pl.Expr]]) -> pl.LazyFrame:
    """Sum indicators: one group-by over the rows any of them counts (0 when none does)."""
    amounts = [
        pl.when(condition)
        .then(pl.col(f"f_{i.sum_field}").cast(pl.Float64, strict=False).fill_null(0))
        .otherwise(None)
        .alias(f"__s{n}")
        for n, (i, condition) in enumerate(sums)
    ]
    counted = pl.any_horizontal([pl.col(f"__s{n}").is_not_null() for n in range(len(sums))])
    return (
        records.select("subject_id", *amounts)
        .filter(counted)
        .group_by("subject_id")
        .agg(
            pl.col(f"__s{n}").sum().round(4).alias(value_column(i.code))
            for n, (i, _) in enumerate(sums)
        )
    )


def _latest_field(indicator: Indicator, inputs: Inputs, as_of: date) -> pl.LazyFrame:
    """The field of each subject's latest counting record (by decision date, then id)."""
    condition = record_condition(indicator, as_of, inputs.departments)
    column = pl.col(f"f_{indicator.source.field}")
    return (
        inputs.records.lazy()
        .filter(condition)
        .sort(["subject_id", "decision_date", "record_id"], nulls_last=False)
        .group_by("subject_id", maintain_order=True)
        .agg(column.last().alias(value_column(indicator.code)))
    )


def features(
    model: EvaluationModel,
    inputs: Inputs,
    as_of: date,
    grades: Mapping[str, pl.DataFrame],
) -> pl.DataFrame:
    """One row per subject of the model's population with every indicator's value."""
    return _features(model, inputs, as_of, grades).collect()


def _features(
    model: EvaluationModel,
    inputs: Inputs,
    as_of: date,
    grades: Mapping[str, pl.DataFrame],
) -> pl.LazyFrame:
    frame = population(model, inputs).lazy()
    for per_subject in _records_features(model, inputs, as_of):
        frame = frame.join(per_subject, on="subject_id", how="left")
    commitment_aggs = [
        _commitment_aggregate(i, as_of)
        for i in model.indicators()
        if i.source.kind == SourceKind.commitments
    ]
    if commitment_aggs:
        frame = frame.join(
            inputs.commitments.lazy().group_by("subject_id").agg(commitment_aggs),
            on="subject_id",
            how="left",
        )
    list_aggs = [
        (pl.col("list_code") == i.source.list_code)
        .any()
        .cast(pl.Float64)
        .alias(value_column(i.code))
        for i in model.indicators()
        if i.source.kind == SourceKind.list
    ]
    if list_aggs:
        frame = frame.join(
            inputs.lists.lazy().group_by("subject_id").agg(list_aggs), on="subject_id", how="left"
        )
    frame = _grade_values(model, frame, grades)
    frame = frame.with_columns(_other_values(model, as_of)).pipe(_fill_counts, model)
    return frame.select(_column_order(model))


def _column_order(model: EvaluationModel) -> list[str]:
    """subject_id, registration_date, then the values source by source (as joined)."""
    order = [SourceKind.records, SourceKind.field, SourceKind.commitments, SourceKind.list]
    indicators = model.indicators()
    names = ["subject_id", "registration_date"]
    for kind in order:
        names += [value_column(i.code) for i in indicators if i.source.kind == kind]
    names += [value_column(i.code) for i in indicators if i.source.kind not in order]
    return names


def _other_values(model: EvaluationModel, as_of: date) -> list[pl.Expr]:
    exprs: list[pl.Expr] = []
    for indicator in model.indicators():
        name = value_column(indicator.code)
        if indicator.source.kind == SourceKind.registration_age:
            age = _months_between(pl.col("registration_date"), as_of).cast(pl.Float64)
            exprs.append(pl.when(age >= 0).then(age).otherwise(None).alias(name))
    return exprs


def _grade_values(
    model: EvaluationModel, frame: pl.LazyFrame, grades: Mapping[str, pl.DataFrame]
) -> pl.LazyFrame:
    """Grade indicators: the first listed model that graded the subject (joined, not looked
    up subject by subject)."""
    for n, indicator in enumerate(model.indicators()):
        if indicator.source.kind != SourceKind.grade:
            continue
        found = [
            (k, grades[code]) for k, code in enumerate(indicator.source.models) if code in grades
        ]
        columns = []
        for k, graded in found:
            column = f"__g{n}_{k}"
            frame = frame.join(
                graded.lazy().select("subject_id", pl.col("grade").cast(pl.Utf8).alias(column)),
                on="subject_id",
                how="left",
            )
            columns.append(column)
        value = pl.coalesce(columns) if columns else pl.lit(None, dtype=pl.Utf8)
        frame = frame.with_columns(value.alias(value_column(indicator.code))).drop(columns)
    return frame


def _fill_counts(frame: pl.LazyFrame, model: EvaluationModel) -> pl.LazyFrame:
    zero_when_absent = {
        Aggregation.count,
        Aggregation.exists,
        Aggregation.sum,
        Aggregation.max_severity,
    }
    fills = [
        pl.col(value_column(i.code)).fill_null(0.0)
        for i in model.indicators()
        if i.aggregation in zero_when_absent or i.source.measure in ("kept", "breaches")
    ]
    return frame.with_columns(fills) if fills else frame


def population(model: EvaluationModel, inputs: Inputs) -> pl.DataFrame:
    """The model's subjects: its subject kinds and, if given, its industries."""
    keep = pl.col("kind").is_in([str(k) for k in model.subject_kinds])
    if model.population.industries:
        keep &= pl.col("industry").is_in(model.population.industries).fill_null(False)
    return inputs.subjects.filter(keep).select("subject_id", "registration_date").sort("subject_id")


def scoring_expr(scoring: Scoring, value: pl.Expr) -> pl.Expr:
    """Points for a value column, exactly as ``Scoring.points`` gives them one by one."""
    if scoring.kind == "lookup":
        as_text = value.cast(pl.Utf8)
        return as_text.replace_strict(
            scoring.map, default=scoring.default, return_dtype=pl.Float64
        ).fill_null(scoring.default)
    if scoring.kind == "linear":
        cap = float(scoring.cap or 0)
        raw = (value * float(scoring.per or 0)).clip(-cap, cap)
        return raw.fill_null(0.0)
    chain: Any = None
    for interval in scoring.table[:-1]:
        assert interval.upto is not None
        cond = value <= interval.upto
        chain = (
            pl.when(cond).then(interval.points)
            if chain is None
            else chain.when(cond).then(interval.points)
        )
    last = pl.lit(scoring.table[-1].points)
    expr = last if chain is None else chain.otherwise(last)
    return pl.when(value.is_null()).then(0.0).otherwise(expr).cast(pl.Float64)


def score(
    model: EvaluationModel,
    inputs: Inputs,
    as_of: date,
    grades: Mapping[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Every subject's indicator values and points, score, band grade and final grade."""
    frame = _features(model, inputs, as_of, grades or {})
    indicators = model.indicators()
    frame = frame.with_columns(
        (scoring_expr(i.scoring, pl.col(value_column(i.code))) * i.weight)
        .round(4)
        .alias(points_column(i.code))
        for i in indicators
    )
    total = pl.lit(float(model.base_score))
    for indicator in indicators:
        total = total + pl.col(points_column(indicator.code))
    frame = frame.with_columns(total.clip(model.min_score, model.max_score).round(2).alias("score"))
    frame = list_flags(model, inputs, frame)
    return _grades(model, frame).drop("registration_date").sort("subject_id").collect()


def _band(model: EvaluationModel, score_col: pl.Expr) -> pl.Expr:
    chain: Any = None
    for band in model.bands[:-1]:
        cond = score_col >= band.min
        chain = (
            pl.when(cond).then(pl.lit(band.grade))
            if chain is None
            else chain.when(cond).then(pl.lit(band.grade))
        )
    last = pl.lit(model.bands[-1].grade)
    result: pl.Expr = last if chain is None else chain.otherwise(last)
    return result


def _grades(model: EvaluationModel, frame: pl.LazyFrame) -> pl.LazyFrame:
    ranks = {b.grade: i for i, b in enumerate(model.bands)}
    frame = frame.with_columns(_band(model, pl.col("score")).alias("band_grade"))
    grade = pl.col("band_grade")
    override: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for spec in model.overrides.values():
        cond = _override_condition(
            spec.when.list_code, spec.when.indicator, spec.when.at_least, model
        )
        rank = grade.replace_strict(ranks, return_dtype=pl.Int32)
        if spec.grade is not None:
            hit = cond
            target = spec.grade
        else:
            assert spec.cap is not None
            hit = cond & (rank < ranks[spec.cap])
            target = spec.cap
        grade = pl.when(hit).then(pl.lit(target)).otherwise(grade)
        override = pl.when(hit).then(pl.lit(spec.code)).otherwise(override)
    return frame.with_columns(grade.alias("grade"), override.alias("override"))


def _override_condition(
    list_code: str | None, indicator: str | None, at_least: float, model: EvaluationModel
) -> pl.Expr:
    if indicator is not None:
        return (
            pl.col(value_column(indicator)).cast(pl.Float64, strict=False) >= at_least
        ).fill_null(False)
    listed = [i.code for i in model.indicators() if i.source.list_code == list_code]
    if listed:
        return pl.col(value_column(listed[0])).fill_null(0) > 0
    return pl.col(f"l__{list_code}").fill_null(False)


def list_flags(model: EvaluationModel, inputs: Inputs, frame: pl.LazyFrame) -> pl.LazyFrame:
    """Columns ``l__<list>`` for override lists no indicator reads (joined before grading)."""
    read = {i.source.list_code for i in model.indicators() if i.source.list_code}
    missing = sorted(
        {o.when.list_code for o in model.overrides.values() if o.when.list_code} - read
    )
    if not missing:
        return frame
    aggs = [(pl.col("list_code") == code).any().alias(f"l__{code}") for code in missing]
    lists = inputs.lists.lazy().group_by("subject_id").agg(aggs)
    return frame.join(lists, on="subject_id", how="left")
