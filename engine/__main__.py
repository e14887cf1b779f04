"""`python -m engine` is the `imminence` command."""

from .cli import main

main()
