"""Posted study results: what a finished study found, as the registry reports it.

`data` holds the typed form (plain dataclasses, no models), `mapping` reads it from an API v2
record's `resultsSection`, and `models` stores it with its trial.
"""
