"""The same computation partitioned by subject on a Dask cluster (identical results).

Each partition holds whole subjects (``subject_id`` modulo the partition count), runs the
Polars engine on its own inputs and returns its rows; the results are concatenated and
sorted by subject, exactly as one Polars run orders them. Without ``scheduler`` a
``LocalCluster`` of ``workers`` processes is started for the run; with it, the run goes to
that cluster (``dask scheduler`` / ``dask worker`` on other machines).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from xinyong.evaluation import engine
from xinyong.evaluation.config import EvaluationModel
from xinyong.evaluation.frames import Inputs


def _partition(inputs: Inputs, parts: int, index: int) -> Inputs:
    ids = inputs.subjects.filter((pl.col("subject_id") % parts) == index)["subject_id"]
    return inputs.restricted(ids)


def _score_partition(
    models: Sequence[EvaluationModel], inputs: Inputs, as_of: date
) -> dict[str, pl.DataFrame]:
    return engine.score_all(models, inputs, as_of)


def compute(
    models: Sequence[EvaluationModel],
    inputs: Inputs,
    as_of: date,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    partitions: int | None = None,
) -> dict[str, pl.DataFrame]:
    """Every model's results, computed partition by partition on a Dask cluster."""
    from dask.distributed import Client, LocalCluster

    parts = partitions or max(2, workers * 2)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        pieces = [_partition(inputs, parts, index) for index in range(parts)]
        futures = client.map(
            _score_partition, [list(models)] * parts, pieces, [as_of] * parts, pure=False
        )
        outputs = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {
        model.code: pl.concat([out[model.code] for out in outputs], how="vertical_relaxed").sort(
            "subject_id"
        )
        for model in models
    }
