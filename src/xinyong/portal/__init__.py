"""The public portal (信用门户) and the open API: search, subject pages, 双公示, lists, rules."""
