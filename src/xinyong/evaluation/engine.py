"""The scoring engine on Polars: features, points, scores, grades and overrides.

Every step is per subject, so any partition of the subjects (a Dask partition, the flagged
subjects of an incremental run) gives each subject exactly what a full run gives it.

A run of several models (``score_all``) first computes what their indicators share once
(``prepare``: the records of each item taken once, every distinct indicator source one column
aligned with the subjects), then scores each model from those columns; the models whose grades
no other pending model reads are collected together.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    grade_models,
)
from xinyong.evaluation.frames import Inputs


def value_column(code: str) -> str:
    """The result column holding an indicator's value."""
    return f"v__{code}"


def points_column(code: str) -> str:
    """The result column holding an indicator's weighted points."""
    return f"p__{code}"


def stores_zero(indicator: Indicator) -> bool:
    """Whether a zero value is stored even without points: for an indicator that is not a
    count (months since the latest record, registration age, a reported field, a rate) a
    missing value means nothing to measure, so a stored 0 and no value tell "0 months" or
    "0 % kept" from "no such record" or "none decided"."""
    return not _zero_when_absent(indicator)


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
        decoded = column.cast(pl.Utf8).str.json_decode(pl.List(pl.Utf8))
        return decoded.list.contains(str(value)).fill_null(False)
    number = column.cast(pl.Utf8).cast(pl.Float64, strict=False)
    bound = float(value) if not isinstance(value, list) else float(value[0])
    return number >= bound if spec.op == "gte" else number <= bound


def record_condition(indicator: Indicator, as_of: date, departments: Mapping[int, str]) -> pl.Expr:
    """Which rows of the records frame an indicator counts."""
    return _condition(indicator, as_of, departments, pl.col("item_code") == indicator.source.item)


def _condition(
    indicator: Indicator, as_of: date, departments: Mapping[int, str], condition: pl.Expr
) -> pl.Expr:
    """``condition`` (the item's rows) and the indicator's severity, departments, filters and
    window."""
    source = indicator.source
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


# Per-subject reductions without a hash group-by: the records frame is ordered by subject, then
# record, so a subject's count is the difference of a running sum between its last row and the
# last row of the subject before, and a maximum is a running maximum of ``group * SPAN + value``
# (every key of a later subject is above every key of an earlier one). Integers only, so exact.
_DATE_OFFSET = 1 << 20  # days added so that every date (and "none", 0) is positive
_DATE_SPAN = 1 << 22
_RANK_SPAN = 8
_GROUP = "__group"  # the subject's number in the records frame (0, 1, ... in subject order)
_AGE = "__registration_age"
# Sources whose values do not depend on the model: computed once for every model of a run.
SHARED = (SourceKind.records, SourceKind.field, SourceKind.commitments, SourceKind.list)


def indicator_key(indicator: Indicator) -> str:
    """Everything an indicator's value depends on besides the subject: indicators of several
    models with the same key read one computed column."""
    source = indicator.source.model_dump(mode="json", by_alias=True)
    parts = [source, str(indicator.aggregation), indicator.sum_field, indicator.window_months()]
    return json.dumps(parts, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Prepared:
    """What the models of a run read, computed once: one row per subject of ``inputs.subjects``
    (sorted by subject), its kind, industry, registration date and age, one value per distinct
    indicator source (``indicator_key``) and one ``l__<list>`` flag per list an override reads."""

    frame: pl.DataFrame
    columns: dict[str, str]
    # the records and field values: frames of ``__row`` (the subject's row in ``frame``, null:
    # a subject outside it) and values, placed for each model's population only
    parts: list[pl.DataFrame]

    def column(self, indicator: Indicator) -> str:
        return self.columns[indicator_key(indicator)]


def _override_lists(model: EvaluationModel) -> list[str]:
    """Lists an override reads that no indicator of the model reads (``l__<list>`` flags)."""
    read = {i.source.list_code for i in model.indicators() if i.source.list_code}
    return sorted({o.when.list_code for o in model.overrides.values() if o.when.list_code} - read)


def prepare(models: Sequence[EvaluationModel], inputs: Inputs, as_of: date) -> Prepared:
    """Every shared value of these models for every subject, one pass per records item."""
    subjects = inputs.subjects
    if not subjects["subject_id"].is_sorted():
        subjects = subjects.sort("subject_id", maintain_order=True)
    wanted: dict[str, Indicator] = {}
    for model in models:
        for indicator in model.indicators():
            if indicator.source.kind in SHARED:
                wanted.setdefault(indicator_key(indicator), indicator)
    columns = {key: f"__x{n}" for n, key in enumerate(wanted)}
    named = [(columns[key], indicator) for key, indicator in wanted.items()]
    flags = sorted({code for model in models for code in _override_lists(model)})
    ids = subjects.select("subject_id")
    values: list[pl.Series] = [_registration_age(subjects["registration_date"], as_of)]
    parts = _records_values(
        [(c, i) for c, i in named if i.source.kind in (SourceKind.records, SourceKind.field)],
        inputs,
        as_of,
        ids,
    )
    aligned = []
    commitment_aggs = [
        _commitment_aggregate(i, as_of).alias(c)
        for c, i in named
        if i.source.kind == SourceKind.commitments
    ]
    if commitment_aggs:
        aligned.append(inputs.commitments.lazy().group_by("subject_id").agg(commitment_aggs))
    list_aggs = [
        (pl.col("list_code") == i.source.list_code).any().cast(pl.Float64).alias(c)
        for c, i in named
        if i.source.kind == SourceKind.list
    ]
    list_aggs += [(pl.col("list_code") == code).any().alias(f"l__{code}") for code in flags]
    if list_aggs:
        aligned.append(inputs.lists.lazy().group_by("subject_id").agg(list_aggs))
    subject_ids = ids.get_column("subject_id")
    found = [
        pl.DataFrame([_rows_of(subject_ids, g["subject_id"]).alias("__row"), *g.get_columns()[1:]])
        for g in pl.collect_all(aligned)
    ]
    values += _placed(found, ids.height)
    return Prepared(subjects.hstack(values), columns, parts)


def _rows_of(sorted_ids: pl.Series, wanted: pl.Series) -> pl.Series:
    """The row of each wanted subject in ``sorted_ids`` (null: not there), by binary search."""
    if sorted_ids.is_empty():
        return _nulls("rows", pl.UInt32, wanted.len())
    at = sorted_ids.search_sorted(wanted).clip(upper_bound=sorted_ids.len() - 1)
    return at.zip_with(sorted_ids.gather(at) == wanted, _nulls("rows", at.dtype, at.len()))


def _nulls(name: str, dtype: Any, height: int) -> pl.Series:
    return pl.Series(name, [None], dtype=dtype).new_from_index(0, height)


def _sources(frames: list[pl.DataFrame], row: pl.Series, height: int) -> list[pl.Series]:
    """For each frame (its first column: each row's row in the frame being built, or null), the
    index of ``height`` that gathers its rows into place (null where no row goes): the rows
    mapped through ``row`` (when given) in one parallel query, then scattered."""
    plans = []
    for frame in frames:
        at = pl.col(frame.columns[0])
        target = at if row.is_empty() else pl.lit(row).gather(at)
        plans.append(frame.lazy().select(target.alias("at")).with_row_index("i").drop_nulls("at"))
    return [
        _nulls("index", pl.UInt32, height).scatter(found["at"], found["i"])
        for found in pl.collect_all(plans)
    ]


def _placed(frames: list[pl.DataFrame], height: int) -> list[pl.Series]:
    """The columns of each frame but its first (each row's row in the frame being built, or
    null) put at those rows of ``height`` (null elsewhere), in one parallel query."""
    sources = _sources(frames, pl.Series(dtype=pl.UInt32), height)
    plans = [
        frame.lazy().select(pl.all().exclude(frame.columns[0]).gather(source))
        for frame, source in zip(frames, sources, strict=True)
    ]
    return [column for placed in pl.collect_all(plans) for column in placed.get_columns()]


def _registration_age(registered: pl.Series, as_of: date) -> pl.Series:
    age = _months_since(registered, as_of)
    return (
        pl.select(pl.when(age >= 0).then(age).otherwise(None).cast(pl.Float64))
        .to_series()
        .alias(_AGE)
    )


def _months(earlier: date, as_of: date) -> int:
    months = (as_of.year * 12 + as_of.month) - (earlier.year * 12 + earlier.month)
    return months - (earlier.day > as_of.day)


def _months_since(dates: pl.Series, as_of: date) -> pl.Series:
    """``_months_between`` of a whole column: a binary search over the last day of each month
    count the dates span (a date is at least k months before ``as_of`` when it is on or before
    the k-th such day), instead of taking every date apart into year, month and day."""
    low, high = dates.min(), dates.max()
    if low is None or high is None:
        return pl.Series(dates.name, [None] * dates.len(), dtype=pl.Int64)
    assert isinstance(low, date) and isinstance(high, date)
    most, least = _months(low, as_of), _months(high, as_of)
    bounds = []
    for k in range(most, least - 1, -1):  # the bounds ascend as k falls
        year, month = divmod(as_of.year * 12 + as_of.month - 1 - k, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        bounds.append(date(year, month + 1, min(as_of.day, last_day)))
    found = pl.Series(bounds, dtype=pl.Date).search_sorted(dates, side="left").cast(pl.Int64)
    return pl.select(
        pl.when(dates.is_not_null()).then(most - found).otherwise(None).alias(dates.name)
    ).to_series()


def _records_values(
    named: list[tuple[str, Indicator]], inputs: Inputs, as_of: date, ids: pl.DataFrame
) -> list[pl.DataFrame]:
    """Every records and field indicator, item by item: the item's rows taken once (in subject
    order), running sums and maxima read at each subject's last row, sums by one group-by over
    the rows they count, a field from each subject's latest counting record. Frames of
    ``__row`` (the subject's row of ``ids``, null: a subject outside it) and values (a subject
    without records of the item: no row, its values null, filled later like a subject without
    records)."""
    if not named:
        return []
    records = inputs.records
    if not records["subject_id"].is_sorted():
        records = records.sort(["subject_id", "record_id"], maintain_order=True)
    group = records["subject_id"].rle_id().cast(pl.Int64).alias(_GROUP)
    records = records.hstack([group])
    # each subject of the records frame (in group order): its row in ``ids`` or null
    last = (group != group.shift(-1)).fill_null(True)
    position = (
        records["subject_id"]
        .filter(last)
        .to_frame()
        .join(ids.with_row_index("__row"), on="subject_id", how="left", maintain_order="left")
        .get_column("__row")
    )
    by_item: dict[str, list[tuple[str, Indicator]]] = {}
    for column, indicator in named:
        by_item.setdefault(str(indicator.source.item), []).append((column, indicator))
    # on the item's rows: every row is of the item (a column of True, not a literal)
    of_item = pl.col(_GROUP).is_not_null()
    conditions = {
        column: _condition(indicator, as_of, inputs.departments, of_item)
        for column, indicator in named
    }
    parts = []
    for item, indicators in by_item.items():
        needed = {_GROUP}  # the columns the item's indicators read, no more
        for column, indicator in indicators:
            needed.update(conditions[column].meta.root_names())
            needed.update(
                f"f_{name}" for name in (indicator.sum_field, indicator.source.field) if name
            )
            if indicator.aggregation == Aggregation.max_severity:
                needed.add("severity")
            if indicator.aggregation == Aggregation.months_since_latest or (
                indicator.source.kind == SourceKind.field
            ):
                needed.add("decision_date")
        order = [c for c in records.columns if c in needed]  # keeps the frame's column order
        parts.append(records.lazy().filter(pl.col("item_code") == item).select(order))
    plans: list[pl.LazyFrame] = []
    for part, indicators in zip(pl.collect_all(parts), by_item.values(), strict=True):
        plans += _item_values(indicators, conditions, part.lazy(), as_of)
    row = pl.lit(position).gather(pl.col(_GROUP)).alias("__row")  # its subject's row in ids
    return pl.collect_all([plan.select(row, pl.all().exclude(_GROUP)) for plan in plans])


def _item_values(
    indicators: list[tuple[str, Indicator]],
    conditions: Mapping[str, pl.Expr],
    records: pl.LazyFrame,
    as_of: date,
) -> list[pl.LazyFrame]:
    """Frames of ``__group`` and values: the running indicators, the sums, each field."""
    running: list[pl.Expr] = []
    values: list[pl.Expr] = []
    sums: list[tuple[str, Indicator, pl.Expr]] = []
    found: list[pl.LazyFrame] = []
    for n, (column, indicator) in enumerate(indicators):
        condition = conditions[column]
        if indicator.source.kind == SourceKind.field:
            field = pl.col(f"f_{indicator.source.field}").cast(pl.Utf8).alias(column)
            found.append(records.filter(_latest_row(condition)).select(_GROUP, field))
            continue
        expr = _running(indicator, condition, f"__r{n}")
        if expr is None:
            sums.append((column, indicator, condition))
            continue
        running.append(expr)
        values.append(_at_subject_end(indicator, f"__r{n}", as_of).alias(column))
    if running:
        group = pl.col(_GROUP)
        last = (group != group.shift(-1)).fill_null(True)
        found.append(
            records.select(_GROUP, *running, last.alias("__last"))
            .filter(pl.col("__last"))
            .select(_GROUP, *values)
        )
    if sums:
        found.append(_sums(records, sums))
    return found


def _running(indicator: Indicator, condition: pl.Expr, column: str) -> pl.Expr | None:
    """The running column an indicator's value is read from at each subject's last row."""
    agg = indicator.aggregation
    if agg in (Aggregation.count, Aggregation.exists):
        return condition.cast(pl.Int64).cum_sum().alias(column)
    group = pl.col(_GROUP)
    if agg == Aggregation.max_severity:
        severity = pl.col("severity").cast(pl.Utf8)
        rank = severity.replace_strict(SEVERITY_RANK, default=0, return_dtype=pl.Int64)
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
    group = pl.col(_GROUP)
    if agg == Aggregation.max_severity:
        return (running - group * _RANK_SPAN - 1).clip(lower_bound=0).cast(pl.Float64)
    key = running - group * _DATE_SPAN
    latest = pl.when(key > 0).then(key - (_DATE_OFFSET + 1)).otherwise(None).cast(pl.Date)
    return _months_between(latest, as_of).cast(pl.Float64)


def _latest_row(condition: pl.Expr) -> pl.Expr:
    """The subject's latest counting row (by decision date, no date first, then by record): a
    counting row no earlier row of the subject passes (running maximum of ``group * SPAN +
    date``) and no later row of the subject reaches (running maximum from the end of ``date -
    group * SPAN``, where every later subject's keys are below)."""
    group = pl.col(_GROUP)
    day = (pl.col("decision_date").cast(pl.Int64) + (_DATE_OFFSET + 1)).fill_null(0)
    key = pl.when(condition).then(day).otherwise(-1)
    forward = group * _DATE_SPAN + key
    backward = key - group * _DATE_SPAN
    later = backward.cum_max(reverse=True).shift(-1)
    return condition & (forward == forward.cum_max()) & (later.is_null() | (backward > later))


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


def _sums(records: pl.LazyFrame, sums: list[tuple[str, Indicator, pl.Expr]]) -> pl.LazyFrame:
    """Sum indicators: one group-by over the rows any of them counts (0 when none does)."""
    amounts = [
        pl.when(condition)
        .then(pl.col(f"f_{i.sum_field}").cast(pl.Utf8).cast(pl.Float64, strict=False).fill_null(0))
        .otherwise(None)
        .alias(f"__s{n}")
        for n, (_, i, condition) in enumerate(sums)
    ]
    counted = pl.any_horizontal([pl.col(f"__s{n}").is_not_null() for n in range(len(sums))])
    return (
        records.select(_GROUP, *amounts)
        .filter(counted)
        .group_by(_GROUP)
        .agg(
            pl.col(f"__s{n}").sum().round(4).alias(column) for n, (column, _, _) in enumerate(sums)
        )
    )


def features(
    model: EvaluationModel,
    inputs: Inputs,
    as_of: date,
    grades: Mapping[str, pl.DataFrame],
) -> pl.DataFrame:
    """One row per subject of the model's population with every indicator's value."""
    frame = _features(model, prepare([model], inputs, as_of), grades)
    return frame.select(_column_order(model)).collect()


def _features(
    model: EvaluationModel, prepared: Prepared, grades: Mapping[str, pl.DataFrame]
) -> pl.LazyFrame:
    """The model's population with its values (in ``_column_order``) and its override flags."""
    shared = [
        pl.col(prepared.column(i)).alias(value_column(i.code))
        for i in model.indicators()
        if i.source.kind in SHARED
    ]
    ages = [
        pl.col(_AGE).alias(value_column(i.code))
        for i in model.indicators()
        if i.source.kind == SourceKind.registration_age
    ]
    flags = [f"l__{code}" for code in _override_lists(model)]
    # each subject's row in the population (null: outside it)
    keep = _in_population(model)
    at = keep.cast(pl.Int64).cum_sum() - 1
    rows = prepared.frame.select(keep.alias("keep"), pl.when(keep).then(at).alias("row"))
    keep_series = rows.get_column("keep")
    row = rows.get_column("row").cast(pl.UInt32)
    height = int(keep_series.sum())
    own = {prepared.column(i) for i in model.indicators() if i.source.kind in SHARED}
    parts = [
        (frame, wanted)
        for frame in prepared.parts
        if (wanted := [c for c in frame.columns[1:] if c in own])
    ]
    sources = _sources([frame for frame, _ in parts], row, height)
    # counts are filled as they are placed (``_fill_counts`` then finds no null in them)
    zero = {prepared.column(i) for i in model.indicators() if _zero_when_absent(i)} & own
    placed = [
        frame.lazy().select(
            pl.col(c).gather(source).fill_null(0.0) if c in zero else pl.col(c).gather(source)
            for c in wanted
        )
        for (frame, wanted), source in zip(parts, sources, strict=True)
    ]
    base = prepared.frame.lazy().filter(keep_series)
    frame = pl.concat([base, *placed], how="horizontal").select(
        "subject_id", "registration_date", *shared, *ages, *flags
    )
    frame = _grade_values(model, frame, grades).pipe(_fill_counts, model)
    return frame.select(*_column_order(model), *flags)


def _column_order(model: EvaluationModel) -> list[str]:
    """subject_id, registration_date, then the values source by source (as joined)."""
    order = [SourceKind.records, SourceKind.field, SourceKind.commitments, SourceKind.list]
    indicators = model.indicators()
    names = ["subject_id", "registration_date"]
    for kind in order:
        names += [value_column(i.code) for i in indicators if i.source.kind == kind]
    names += [value_column(i.code) for i in indicators if i.source.kind not in order]
    return names


def _grade_values(
    model: EvaluationModel, frame: pl.LazyFrame, grades: Mapping[str, pl.DataFrame]
) -> pl.LazyFrame:
    """Grade indicators: the first listed model that graded the subject (looked up for the whole
    population at once, not subject by subject)."""
    for indicator in model.indicators():
        if indicator.source.kind != SourceKind.grade:
            continue
        found = [_graded(grades[code]) for code in indicator.source.models if code in grades]
        value = pl.coalesce(found) if found else pl.lit(None, dtype=pl.Utf8)
        frame = frame.with_columns(value.alias(value_column(indicator.code)))
    return frame


def _graded(graded: pl.DataFrame) -> pl.Expr:
    """Each subject's grade in ``graded`` (null: not graded there): a binary search of the graded
    subjects (sorted), cheaper than a join hashing every graded subject for a small population."""
    if graded.is_empty():
        return pl.lit(None, dtype=pl.Utf8)
    if not graded["subject_id"].is_sorted():
        graded = graded.sort("subject_id")
    ids = pl.lit(graded["subject_id"])
    at = ids.search_sorted(pl.col("subject_id")).clip(upper_bound=graded.height - 1)
    grade = pl.lit(graded["grade"].cast(pl.Utf8)).gather(at)
    return pl.when(ids.gather(at) == pl.col("subject_id")).then(grade)


def _zero_when_absent(indicator: Indicator) -> bool:
    """Whether a subject without anything to count has 0 (not no value)."""
    counts = (Aggregation.count, Aggregation.exists, Aggregation.sum, Aggregation.max_severity)
    return indicator.aggregation in counts or indicator.source.measure in ("kept", "breaches")


def _fill_counts(frame: pl.LazyFrame, model: EvaluationModel) -> pl.LazyFrame:
    fills = [
        pl.col(value_column(i.code)).fill_null(0.0)
        for i in model.indicators()
        if _zero_when_absent(i)
    ]
    return frame.with_columns(fills) if fills else frame


def _in_population(model: EvaluationModel) -> pl.Expr:
    keep = pl.col("kind").is_in([str(k) for k in model.subject_kinds])
    if model.population.industries:
        keep &= pl.col("industry").is_in(model.population.industries).fill_null(False)
    return keep


def population(model: EvaluationModel, inputs: Inputs) -> pl.DataFrame:
    """The model's subjects: its subject kinds and, if given, its industries."""
    return inputs.subjects.filter(_in_population(model)).select("subject_id", "registration_date")


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
    return _score(model, prepare([model], inputs, as_of), grades or {}).collect()


def score_all(
    models: Sequence[EvaluationModel], inputs: Inputs, as_of: date
) -> dict[str, pl.DataFrame]:
    """``score`` of every model (in ``EvaluationModels.order``), the shared values computed
    once; the models whose grades no pending model waits for are collected together."""
    prepared = prepare(models, inputs, as_of)
    codes = {model.code for model in models}
    results: dict[str, pl.DataFrame] = {}
    pending = list(models)
    while pending:
        ready = [
            m for m in pending if all(d in results for d in grade_models(m) if d in codes)
        ] or pending[:1]
        graded = {code: result.select("subject_id", "grade") for code, result in results.items()}
        plans = [_score(model, prepared, graded) for model in ready]
        for model, result in zip(ready, pl.collect_all(plans), strict=True):
            results[model.code] = result
        pending = [m for m in pending if m.code not in results]
    return {model.code: results[model.code] for model in models}


def _score(
    model: EvaluationModel, prepared: Prepared, grades: Mapping[str, pl.DataFrame]
) -> pl.LazyFrame:
    frame = _features(model, prepared, grades)
    indicators = model.indicators()
    frame = frame.with_columns(_points(i).alias(points_column(i.code)) for i in indicators)
    total = pl.lit(float(model.base_score))
    for indicator in indicators:
        total = total + pl.col(points_column(indicator.code))
    frame = frame.with_columns(total.clip(model.min_score, model.max_score).round(2).alias("score"))
    flags = [f"l__{code}" for code in _override_lists(model)]
    points = [points_column(i.code) for i in indicators]
    frame = frame.select(*_column_order(model), *points, "score", *flags)
    # the population keeps the subjects' order: already sorted by subject
    return _grades(model, frame).drop("registration_date")


def _points(indicator: Indicator) -> pl.Expr:
    """``(points × weight)`` rounded to 4 places; a weight of 1 and a table whose points are
    already round give the table's points as they are (the same numbers, fewer passes)."""
    expr = scoring_expr(indicator.scoring, pl.col(value_column(indicator.code)))
    if indicator.weight == 1 and _fixed_and_round(indicator.scoring):
        return expr
    return (expr * indicator.weight).round(4)


def _fixed_and_round(scoring: Scoring) -> bool:
    """Whether every points value the scoring gives is one of its table's and has at most
    four decimal places (rounding would leave it as it is)."""
    if scoring.kind == "linear":
        return False
    found = [0.0, *(i.points for i in scoring.table)]
    if scoring.kind == "lookup":
        found = [scoring.default, *scoring.map.values()]
    return all(round(value, 4) == value and abs(value) < 1e9 for value in found)


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
