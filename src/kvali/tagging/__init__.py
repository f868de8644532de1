"""Auto-coding: codebook rules matched against segments, stored as explainable suggestions."""
