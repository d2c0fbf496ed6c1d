"""信易+: benefit scenarios, eligibility, the signed credit code, verification and redemption."""
