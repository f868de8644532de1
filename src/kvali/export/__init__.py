"""Exports: theme summaries with citations (md, docx, html, xlsx) and codings as data."""
