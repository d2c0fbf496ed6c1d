"""Rights of subjects: objection (异议) and credit repair (信用修复) as cases with deadlines."""

from xinyong.rights import texts as _texts  # noqa: F401  (registers the interface text)
from xinyong.rights import texts_console as _texts_console  # noqa: F401
from xinyong.rights import texts_lists as _texts_lists  # noqa: F401
from xinyong.rights import texts_portal as _texts_portal  # noqa: F401
