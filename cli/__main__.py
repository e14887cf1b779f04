"""`python -m cli` is the `imminence` command."""

from cli.main import main

main()
