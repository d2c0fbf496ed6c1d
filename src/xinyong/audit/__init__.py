"""The append-only, hash-chained audit log (SHA-256 or SM3), its checkpoints and verification."""
