"""Benchmarks, kept out of the apps: each is a script run by a make target (`make bench-import`,
`make bench-search`) that prints its figures. Run one by hand from the project folder:
`.venv/bin/python -m bench.imports --count 2000`."""
