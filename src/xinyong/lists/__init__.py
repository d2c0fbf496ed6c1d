"""Red and black lists (红黑名单): list types as data; propose → notify → list → remove."""

from xinyong.lists import texts as _texts  # noqa: F401  (registers the interface text)
