"""Batch runs over many scenarios: inputs, journal and resume, workers and outputs (`run`),
variants from a `--vary` spec (`generate`), and the HTML/Markdown report with charts
(`report`)."""
