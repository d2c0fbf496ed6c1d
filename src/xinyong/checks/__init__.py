"""Credit checks (信用核查, 逢办必查 / 统查): checks in matters, batch checks, feedback."""
