"""Load for the scale benchmark: one page, one tenant host, closed loop (no think time).

Driven by environment variables so the benchmark can run it headless for each page:
BENCH_HOST_HEADER (e.g. erkelenz.localhost), BENCH_PATH, BENCH_UNCACHED=1 to bypass the page
cache (a session cookie makes a visitor non-anonymous for the cache).
"""

import os

from locust import HttpUser, constant, task


class Citizen(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.headers["Host"] = os.environ["BENCH_HOST_HEADER"]
        if os.environ.get("BENCH_UNCACHED"):
            self.client.cookies.set("sessionid", "benchmark-no-session")

    @task
    def page(self) -> None:
        with self.client.get(os.environ["BENCH_PATH"], catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
