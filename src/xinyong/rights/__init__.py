"""Rights of subjects: objection (异议) and credit repair (信用修复) as cases with deadlines."""
