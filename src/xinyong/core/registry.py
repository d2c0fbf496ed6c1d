"""Import every module's models so ``Base.metadata`` knows all tables."""

from __future__ import annotations

from sqlalchemy import MetaData

from xinyong.core.db import Base


def load_models() -> MetaData:
    """Import all model modules and return the shared metadata."""
    from xinyong.audit import models as _audit  # noqa: F401
    from xinyong.auth import models as _auth  # noqa: F401
    from xinyong.evaluation import models as _evaluation  # noqa: F401
    from xinyong.exchange import models as _exchange  # noqa: F401
    from xinyong.ingest import models as _ingest  # noqa: F401
    from xinyong.lists import models as _lists  # noqa: F401
    from xinyong.measures import models as _measures  # noqa: F401
    from xinyong.notices import models as _notices  # noqa: F401
    from xinyong.portal import models as _portal  # noqa: F401
    from xinyong.records import models as _records  # noqa: F401
    from xinyong.rights import models as _rights  # noqa: F401
    from xinyong.subjects import models as _subjects  # noqa: F401
    from xinyong.supervision import models as _supervision  # noqa: F401

    return Base.metadata
