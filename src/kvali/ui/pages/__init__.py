"""One module per page of the workbench; each exposes a `<name>_page()` function."""
