"""Collection (归集): source departments submit records by file, API and command line."""
