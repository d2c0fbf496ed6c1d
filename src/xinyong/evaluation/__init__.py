"""Comprehensive evaluation (综合评价): for now, the subjects whose grade must be recomputed."""
