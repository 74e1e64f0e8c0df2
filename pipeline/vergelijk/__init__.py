"""`pipeline vergelijk`: what changed between two runs (placeholder, filled below)."""
