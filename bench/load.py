"""Requests per second under gunicorn on loopback, with a small threaded HTTP client.

The app runs as it would in production (gunicorn, ``--workers 2``) on a free port of
127.0.0.1; the client carries the sessions and API tokens ``bench.measure`` made (the sign-in
form asks for a verified e-mail address, which seed_scale's people lack), then sends each page
from ``--threads`` threads until ``--requests`` answers or ``--seconds`` have passed,
whichever comes first.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving config.wsgi; stopped (by its own pid) when the block ends."""

    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def request(port, method, path, headers=None, body=None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response.getheaders(), content
    finally:
        if own:
            connection.close()


def hammer(port: int, path: str, headers: dict, threads: int, requests: int, seconds: float):
    """Send ``path`` from ``threads`` threads; answers per second and the failures."""
    lock = threading.Lock()
    done = {"ok": 0, "failed": 0, "sent": 0}
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                if done["sent"] >= requests:
                    break
                done["sent"] += 1
            try:
                status = request(port, "GET", path, headers, connection=connection)[0]
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            with lock:
                done["ok" if status == 200 else "failed"] += 1
        connection.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "requests": done["ok"],
        "failed": done["failed"],
        "seconds": elapsed,
        "rps": done["ok"] / elapsed if elapsed else 0.0,
    }


def run(env: dict, pages: list[dict], headers: dict, threads: int, requests: int, seconds: float):
    """``pages`` as measured in-process (name, url, who); ``headers`` by audience (a session
    cookie or an API token, made by ``bench.measure``). Returns the pages with their
    requests per second."""
    results = []
    with Server(env) as server:
        for page in pages:
            outcome = hammer(
                server.port, page["url"], headers[page["who"]], threads, requests, seconds
            )
            results.append({"name": page["name"], **outcome})
            print(f"  {page['name']:<34} {outcome['rps']:7.1f} req/s", flush=True)
    return results


if __name__ == "__main__":  # a quick manual run against the database in DATABASE_URL
    print(os.environ.get("DATABASE_URL"))
