"""Work started in several threads at the same moment, each on its own database connection."""

import threading

from django.db import connections


def at_once(times: int, work, timeout: float = 60) -> tuple[list, list]:
    """Run `work` in `times` threads released together; (their results, their exceptions)."""
    start = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # handed back to the test, which asserts on it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
