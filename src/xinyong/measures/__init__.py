"""Joint reward and punishment measures (联合奖惩): the catalogue and which measures apply."""

from xinyong.measures import texts as _texts  # noqa: F401  (registers the interface text)
