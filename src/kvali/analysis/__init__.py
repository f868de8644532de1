"""Analysis across the material: code × attribute crosstabs and code co-occurrence."""
