"""Chinese entity matching: compare organisation and person names, screen the registry.

The public interface for the other modules::

    from xinyong.identity import matching

    result = matching.match_names("北京某某科技有限公司", "某某科技(北京)有限公司")
    index = subjects.matching.build_index(session)  # the store's subjects
    candidates = matching.screen(index, "某某科技有限公司", code=None)
"""

from xinyong.identity.matching.config import (
    MatchingConfig,
    MatchingConfigError,
    default_config,
    load_config,
)
from xinyong.identity.matching.index import IndexedSubject, MatchIndex
from xinyong.identity.matching.result import Evidence, MatchResult, Party
from xinyong.identity.matching.service import (
    Candidate,
    ScreenQuery,
    compare_pairs,
    guess_kind,
    match_names,
    screen,
    screen_many,
)

__all__ = [
    "Candidate",
    "Evidence",
    "IndexedSubject",
    "MatchIndex",
    "MatchResult",
    "MatchingConfig",
    "MatchingConfigError",
    "Party",
    "ScreenQuery",
    "build_index",
    "compare_pairs",
    "default_config",
    "guess_kind",
    "load_config",
    "match_names",
    "screen",
    "screen_many",
]
