"""Patients browsing the site, for `make bench-load` (bench/load.py runs locust with this file).

Each simulated patient opens the home page, searches with filters, reads trial pages and their
history, and browses condition pages, pausing between pages as a reader does. Every request is
named by its page type, and written (time, page type, status, milliseconds) to the file named
by BENCH_LOAD_LOG, from which bench/load.py works out the figures per phase.
"""

import json
import os
import random
import time

from locust import HttpUser, between, events, task

KEYWORDS = ["diabetes", "breast cancer", "asthma", "hypertension", "depression", "hiv", "stroke"]
ZIPS = ["10001", "60601", "94110", "77030", "02115", "20892", "98101", "33136"]
SAMPLE = json.loads(open(os.environ["BENCH_LOAD_SAMPLE"]).read())  # noqa: SIM115
_log = open(os.environ["BENCH_LOAD_LOG"], "a", buffering=1)  # noqa: SIM115


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    _log.write(f"{time.time():.3f}\t{name}\t{status}\t{response_time:.1f}\n")


class Patient(HttpUser):
    wait_time = between(1, 3)

    def page(self, path: str, name: str) -> None:
        headers = {"Accept-Encoding": "gzip, deflate, br, zstd", "Accept": "text/html"}
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def home(self):
        self.page("/", "home")

    @task(4)
    def search(self):
        keyword = random.choice(KEYWORDS)
        filters = random.choice(
            [
                "&status=recruiting",
                f"&status=recruiting&age={random.randint(25, 80)}",
                f"&zip={random.choice(ZIPS)}&distance=50",
                "&sort=newest",
            ]
        )
        self.page(f"/trials/?q={keyword.replace(' ', '+')}{filters}", "search")

    @task(6)
    def trial(self):
        self.page(f"/trials/{random.choice(SAMPLE['trials'])}/", "trial")

    @task(1)
    def history(self):
        self.page(f"/trials/{random.choice(SAMPLE['trials'])}/history/", "history")

    @task(2)
    def condition(self):
        if random.random() < 0.25:
            self.page("/conditions/", "condition index")
        else:
            self.page(f"/conditions/{random.choice(SAMPLE['groups'])}/", "condition")
