"""The assembly's knowledge of every module: their tables (``load_models``) and their
subscriptions to record effects (``wire_effects``)."""

from __future__ import annotations

from sqlalchemy import MetaData

from xinyong.core.db import Base


def load_models() -> MetaData:
    """Import all model modules and return the shared metadata."""
    from xinyong.audit import models as _audit  # noqa: F401
    from xinyong.auth import models as _auth  # noqa: F401
    from xinyong.checks import models as _checks  # noqa: F401
    from xinyong.commitments import models as _commitments  # noqa: F401
    from xinyong.evaluation import models as _evaluation  # noqa: F401
    from xinyong.exchange import models as _exchange  # noqa: F401
    from xinyong.financing import models as _financing  # noqa: F401
    from xinyong.incentives import models as _incentives  # noqa: F401
    from xinyong.ingest import models as _ingest  # noqa: F401
    from xinyong.lists import models as _lists  # noqa: F401
    from xinyong.notices import models as _notices  # noqa: F401
    from xinyong.points import models as _points  # noqa: F401
    from xinyong.portal import models as _portal  # noqa: F401
    from xinyong.records import models as _records  # noqa: F401
    from xinyong.reports import models as _reports  # noqa: F401
    from xinyong.rights import models as _rights  # noqa: F401
    from xinyong.subjects import models as _subjects  # noqa: F401
    from xinyong.supervision import models as _supervision  # noqa: F401

    return Base.metadata


def wire_effects() -> None:
    """Subscribe every module to the record changes it acts on (idempotent; each process
    calls it once at start-up: the app factory, the CLI and the test session)."""
    from xinyong.commitments import effects as commitments_effects
    from xinyong.commitments import uses as commitments_uses
    from xinyong.evaluation import effects as evaluation_effects
    from xinyong.exchange import effects as exchange_effects
    from xinyong.lists import effects as lists_effects
    from xinyong.notices import effects as notices_effects

    lists_effects.subscribe()
    exchange_effects.subscribe()
    evaluation_effects.subscribe()
    notices_effects.subscribe()
    commitments_effects.subscribe()
    commitments_uses.register()  # its sections on subject pages and in credit reports
