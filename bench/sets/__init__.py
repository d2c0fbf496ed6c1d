"""Labelled data sets the benchmarks (and their tests) share: not benchmarks themselves."""
