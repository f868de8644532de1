"""Read-only queries behind the app's pages: every page asks these functions, none holds SQL."""
