"""`python -m kvali.cli`: the same as the `kvali` command."""

from kvali.cli import main

main()
