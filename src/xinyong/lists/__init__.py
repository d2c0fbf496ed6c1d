"""Red and black lists (红黑名单): list types as data; propose → notify → list → remove."""
