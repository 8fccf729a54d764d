"""The simulated users of ``make load`` (bench/loadtest.py runs them with locust as a library).

``page_user``: a user of the capacity phase, asking for one page again and again without
pause, signed in as the head organisation's administrator (session cookie, or its API token
for the API). ``member_user``: a user of the mixed phase, an editor of its own organisation,
reading 90 % of the time and writing 10 % through the API, each write carrying a unique
marker so it can be looked for in the database afterwards.

Every answer is timed by a ``Recorder`` (exact percentiles, not locust's rounded buckets).
"""

from __future__ import annotations

import itertools
import math
import random
import time
import uuid
from collections import defaultdict

from locust import FastHttpUser, between, constant, task

WRITE_SHARE = 0.10
READS = ("dashboard", "list", "workspace", "report", "API list")
WRITES = ("level", "concern check", "commitment")
MARK = object()  # where a write's body carries its unique marker


class Recorder:
    """Response times (ms) of the answers that succeeded and failures, by request name; the
    writes sent, each with its marker and whether the server acknowledged it."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        self.reasons: dict[str, set[str]] = defaultdict(set)
        self.writes: list[dict] = []
        # Successes answered before the phase's end (time.monotonic()): the requests/s count
        # these over the phase's length, not the ones finished while the users stop.
        self.until = math.inf
        self.in_time: dict[str, int] = defaultdict(int)

    def on_request(self, name, response_time, exception=None, **_kwargs) -> None:
        if exception is None:
            self.times[name].append(response_time)
            if time.monotonic() <= self.until:
                self.in_time[name] += 1
        else:
            self.failures[name] += 1
            self.reasons[name].add(str(exception)[:120])


def _checked(response, expected: int) -> bool:
    if response.status_code == expected:
        response.success()
        return True
    response.failure(f"{response.status_code} {response.text[:100]!r}")
    return False


def auth_headers(page: dict, plan: dict) -> dict[str, str]:
    """The head administrator's API token for the API, its session cookie for a page."""
    if page["auth"] == "token":
        return {"Authorization": f"Token {plan['token']}"}
    return {"Cookie": f"sessionid={plan['sessionid']}", "Accept-Language": "en"}


def page_user(page: dict, plan: dict) -> type[FastHttpUser]:
    """A user class asking only for ``page`` (from bench.load_django's capacity plan)."""
    headers = auth_headers(page, plan)

    class PageUser(FastHttpUser):
        wait_time = constant(0)

        @task
        def ask(self) -> None:
            with self.client.get(
                page["url"], name=page["name"], headers=headers, catch_response=True
            ) as response:
                _checked(response, 200)

    return PageUser


def member_user(plans: list[dict], recorder: Recorder, think: float) -> type[FastHttpUser]:
    """A user class of the mixed phase: each instance takes the next plan (one organisation
    each) and pauses about ``think`` seconds between requests."""
    queue = itertools.count()

    class Member(FastHttpUser):
        wait_time = between(think / 2, think * 1.5) if think else constant(0)

        def on_start(self) -> None:
            self.me = plans[next(queue) % len(plans)]
            self.page_headers = {
                "Cookie": f"sessionid={self.me['sessionid']}",
                "Accept-Language": "en",
            }
            self.api_headers = {"Authorization": f"Token {self.me['token']}"}
            self.versions = {c["url"]: c["version"] for c in self.me["commitments"]}
            self.acting = f"?organisation={self.me['organisation']}"

        @task
        def act(self) -> None:
            if random.random() < WRITE_SHARE:
                getattr(self, "write_" + random.choice(WRITES).replace(" ", "_"))()
            else:
                self.read(random.choice(READS))

        def read(self, name: str) -> None:
            url = self.me["reads"][name]
            url = random.choice(url) if isinstance(url, list) else url
            headers = self.api_headers if name.startswith("API") else self.page_headers
            with self.client.get(url, name=name, headers=headers, catch_response=True) as answer:
                _checked(answer, 200)

        def send(self, kind: str, method: str, url: str, body: dict, expected: int):
            """One write through the API; recorded with its marker, acknowledged or not."""
            marker = f"load-{uuid.uuid4().hex}"
            payload = {key: marker if value is MARK else value for key, value in body.items()}
            write = {"kind": kind, "marker": marker, "acked": False}
            recorder.writes.append(write)
            with self.client.request(
                method,
                url + self.acting,
                name=f"write: {kind}",
                headers=self.api_headers,
                json=payload,
                catch_response=True,
            ) as answer:
                write["acked"] = _checked(answer, expected)
                return answer.json() if write["acked"] else None

        def write_level(self) -> None:
            body = {
                "kind": "perceived",
                "level": random.randint(*self.me["level_range"]),
                "party": self.me["organisation"],
                "rationale": MARK,
            }
            self.send("level", "POST", random.choice(self.me["levels"]), body, 201)

        def write_concern_check(self) -> None:
            body = {"intensity": random.randint(*self.me["intensity_range"]), "note": MARK}
            self.send("concern check", "POST", random.choice(self.me["concerns"]), body, 201)

        def write_commitment(self) -> None:
            url = random.choice(list(self.versions))
            body = {"description": MARK, "version": self.versions[url]}
            answer = self.send("commitment", "PATCH", url, body, 200)
            if answer is not None:
                self.versions[url] = answer["version"]

    return Member
