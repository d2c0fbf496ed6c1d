"""信易贷: credit-based financing for small firms and banks."""
