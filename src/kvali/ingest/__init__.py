"""Readers that turn files into parsed sources (documents with exact offsets), and the registry."""
