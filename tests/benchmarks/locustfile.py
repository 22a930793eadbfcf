"""Load for the scale benchmark: one page, one tenant host, closed loop (no think time).

Driven by environment variables so the benchmark can run it headless for each page:
BENCH_HOST_HEADER (e.g. erkelenz.localhost), BENCH_PATH, BENCH_UNCACHED=1 to bypass the page
cache (a session cookie makes a visitor non-anonymous for the cache), BENCH_SAMPLES: a file that
gets every response time in ms as JSON when the run ends. Locust's own percentiles are rounded
to whole milliseconds, too coarse for a cached page answered in 2–4 ms.
"""

import json
import os

from locust import HttpUser, constant, events, task

_response_times: list[float] = []


@events.request.add_listener
def _keep_response_time(response_time: float, exception=None, **_) -> None:
    if exception is None:
        _response_times.append(response_time)


@events.quitting.add_listener
def _write_response_times(**_) -> None:
    target = os.environ.get("BENCH_SAMPLES")
    if target:
        with open(target, "w") as handle:
            json.dump(_response_times, handle)


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
