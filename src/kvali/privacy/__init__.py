"""Personal data in a project: finding it (scan), deciding on it (findings), pseudonymising it."""
