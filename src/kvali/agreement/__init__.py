"""Inter-coder agreement: measures, units, disagreements and consensus."""
