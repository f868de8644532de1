"""The codebook: codebook.yaml with validation, the codes table, REFI-QDA .qdc exchange."""
