"""`python -m syncjobs` is the `syncjobs` command."""

from syncjobs.cli import main

main()
