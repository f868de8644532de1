"""Coding: human decisions on codes (store) and auto-suggestions from codebook rules."""
