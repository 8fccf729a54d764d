"""The fault drill's load: signed-in members reading pages and writing commitments (and now and
then asking for an export), against the cluster's nginx. Run by ops/drill.py.

DRILL_SESSIONS names the JSON made by ``ops/drill_django.py seed`` (one session per simulated
member); DRILL_RECORD the JSON-lines file where each write's outcome is appended: its marker
(the commitment's unique title) and whether the server acknowledged it (the redirect that
follows a saved form). DRILL_REQUESTS gets one line per request (time, name, status) for the
table of errors by step.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

import urllib3
from locust import HttpUser, between, events, task

urllib3.disable_warnings()  # the cluster's certificate is self-signed

SESSIONS = json.load(open(os.environ["DRILL_SESSIONS"]))  # noqa: SIM115
RECORD = open(os.environ["DRILL_RECORD"], "a", buffering=1)  # noqa: SIM115
REQUESTS = open(os.environ["DRILL_REQUESTS"], "a", buffering=1)  # noqa: SIM115
_next = itertools.cycle(range(len(SESSIONS)))


@events.request.add_listener
def _log(request_type, name, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    REQUESTS.write(json.dumps({"t": time.time(), "name": name, "status": status}) + "\n")


class Member(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.me = SESSIONS[next(_next)]
        self.client.verify = False
        self.client.headers["Cookie"] = (
            f"sessionid={self.me['sessionid']}; csrftoken={self.me['csrftoken']}"
        )
        self.client.headers["Referer"] = self.host + "/"
        self.client.headers["Accept-Language"] = "en"

    @task(6)
    def read(self):
        page = random.choice(self.me["reads"] + [t["workspace"] for t in self.me["targets"]])
        with self.client.get(page, name="read", catch_response=True, timeout=40) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(3)
    def write(self):
        target = random.choice(self.me["targets"])
        marker = f"drill-{uuid.uuid4().hex}"
        acked = False
        try:
            with self.client.post(
                target["add"],
                {
                    "csrfmiddlewaretoken": self.me["csrftoken"],
                    "party": target["party"],
                    "title": marker,
                    "status": "planned",
                    "description": "",
                    "due_on": "",
                },
                name="write",
                allow_redirects=False,
                catch_response=True,
                timeout=40,
            ) as response:
                acked = response.status_code == 302 and "commitments" in response.headers.get(
                    "Location", ""
                )
                if not acked:
                    response.failure(f"{response.status_code}")
        finally:
            RECORD.write(json.dumps({"marker": marker, "acked": acked, "t": time.time()}) + "\n")

    @task(1)
    def export(self):
        with self.client.post(
            self.me["export"],
            {"csrfmiddlewaretoken": self.me["csrftoken"], "file_format": "csv"},
            name="export",
            allow_redirects=False,
            catch_response=True,
            timeout=40,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}")
