"""The fault drill (`make drill`): the cluster of ops/cluster.sh under a locust load of signed-in
members, while its pieces fail one after the other; then every acknowledged write is looked for.

Steps, each while the load runs:
  1. a web process is killed (SIGKILL), then started again: nginx serves through the other;
  2. a worker is killed while exports are being asked for, then started again: each export is
     built by the other worker, or asked again by the outbox sweep;
  3. PostgreSQL is restarted (fast shutdown): requests fail cleanly during the restart;
  4. the broker is stopped for 30 s: pages keep working, /healthz says the broker is down, the
     tasks asked for meanwhile are sent by the outbox sweeps once it is back;
  5. the object store is paused (SIGSTOP; moto keeps its files in memory): a download says the
     file is unavailable (503), exports wait and are built after;
  6. `make backup` (pg_dump) runs, the object store is copied after it, and both are restored
     into a fresh database: every write acknowledged before the dump began must be there, and
     every file it names in the file backup.

Then it waits for the outbox to drain and checks (ops/drill_django.py verify) that every
acknowledged write is in the database once, with its history row, that no unacknowledged one
half-exists, and that no notification e-mail was sent twice. The last line reads
`drill: <requests> requests, <errors> errors, <acked> writes acknowledged, <found> found,
<lost> lost, <dup> duplicate e-mails`; the exit status is 1 when anything was lost or sent twice,
when the outbox never drained (e-mails or exports asked for and never done) or when the backup
misses a write or a file.

    .venv/bin/python ops/drill.py [--users 8] [--keep] [--reuse]

--reuse drills a cluster already started (make cluster) and leaves it running; --keep leaves
the cluster it started running. Otherwise the cluster is stopped at the end, also on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = [str(ROOT / "ops" / "cluster.sh")]
PY = str(ROOT / ".venv" / "bin" / "python")
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the cluster's certificate is self-signed, made at start
WARM_UP, BETWEEN, TAIL = 15, 6, 10
BROKER_DOWN, STORE_PAUSED, WEB_DOWN, WORKER_DOWN = 30, 15, 8, 5
DRAIN_SECONDS = 90


def cluster(*args: str, check: bool = True) -> None:
    subprocess.run([*CLUSTER, *args], check=check, cwd=ROOT)


def cluster_env() -> dict[str, str]:
    lines = subprocess.run(
        [*CLUSTER, "env"], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    env = dict(os.environ)
    for line in lines.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    return env


def http(url: str, *, cookie: str = "", data: bytes | None = None, timeout: float = 10):
    """(status, headers, body) of one request; status 0 when nothing answered."""
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if cookie:
        request.add_header("Cookie", cookie)
        request.add_header("Referer", url)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=TLS), NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (OSError, urllib.error.URLError):
        return 0, {}, b""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_until(check, limit: float) -> float | None:
    """Seconds until check() is true (polled every 0.5 s), None if it never was."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if check():
            return time.monotonic() - start
        time.sleep(0.5)
    return None


class Drill:
    def __init__(self, env: dict[str, str], work: Path, users: int) -> None:
        self.env, self.work, self.users = env, work, users
        self.url = env["CLUSTER_URL"]
        self.steps: list[dict] = []

    def healthz(self, port: int | None = None) -> tuple[int, dict]:
        base = f"http://127.0.0.1:{port}" if port else self.url
        status, _, body = http(base + "/healthz", timeout=5)
        try:
            return status, json.loads(body or b"{}")
        except ValueError:
            return status, {}

    def step(self, name: str, fault, restore, recovered, down: float, probe=None) -> None:
        print(f"drill: {name}", flush=True)
        started = time.time()
        fault()
        observed = probe() if probe else ""
        time.sleep(down)
        restore()
        restored = time.time()
        recover = wait_until(recovered, 60)
        self.steps.append(
            {
                "name": name,
                "start": started,
                "restored": restored,
                "end": time.time(),
                "recover": None if recover is None else restored - started + recover,
                "observed": observed,
            }
        )
        time.sleep(BETWEEN)

    def run(self) -> int:
        sessions = self.work / "sessions.json"
        record, requests = self.work / "writes.jsonl", self.work / "requests.jsonl"
        subprocess.run(
            [PY, "ops/drill_django.py", "seed", str(sessions)], check=True, cwd=ROOT, env=self.env
        )
        member = json.loads(sessions.read_text())[0]
        cookie = f"sessionid={member['sessionid']}; csrftoken={member['csrftoken']}"
        export_body = f"csrfmiddlewaretoken={member['csrftoken']}&file_format=csv".encode()

        def ask_export() -> str:
            status, headers, _ = http(self.url + member["export"], cookie=cookie, data=export_body)
            return headers.get("Location", "") if status == 302 else ""

        first_export = ask_export()
        duration = WARM_UP + WEB_DOWN + WORKER_DOWN + BROKER_DOWN + STORE_PAUSED + 5 * 25 + TAIL
        load = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                "ops/locustfile.py",
                "--headless",
                "--only-summary",
                "-u",
                str(self.users),
                "-r",
                str(self.users),
                "--run-time",
                f"{duration}s",
                "--stop-timeout",
                "10",
                "--host",
                self.url,
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={
                **self.env,
                "DRILL_SESSIONS": str(sessions),
                "DRILL_RECORD": str(record),
                "DRILL_REQUESTS": str(requests),
            },
            stdout=open(self.work / "locust.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        load_started = time.time()
        try:
            time.sleep(WARM_UP)
            web1 = int(self.env.get("WEB1_PORT", "58001"))
            self.step(
                "1. web process killed",
                lambda: cluster("kill", "web1"),
                lambda: cluster("start-one", "web1"),
                lambda: self.healthz(web1)[0] == 200,
                WEB_DOWN,
                probe=lambda: f"nginx answered {self.healthz()[0]} meanwhile",
            )
            self.step(
                "2. worker killed during exports",
                lambda: ([ask_export() for _ in range(3)], cluster("kill", "worker1")),
                lambda: cluster("start-one", "worker1"),
                lambda: True,
                WORKER_DOWN,
                probe=lambda: "3 exports asked for as worker1 died; all checked at the end",
            )
            self.step(
                "3. PostgreSQL restarted",
                lambda: cluster("pg-restart"),
                lambda: None,
                lambda: self.healthz()[0] == 200,
                0,
            )
            self.step(
                "4. broker stopped 30 s",
                lambda: cluster("stop-one", "broker"),
                lambda: cluster("start-one", "broker"),
                lambda: self.healthz()[1].get("checks", {}).get("broker") == "ok",
                BROKER_DOWN,
                probe=lambda: self._broker_probe(),
            )
            download = self.url + first_export + "download/" if first_export else ""
            self.step(
                "5. object store paused",
                lambda: cluster("pause", "s3"),
                lambda: cluster("resume", "s3"),
                lambda: not download or http(download, cookie=cookie)[0] == 200,
                STORE_PAUSED,
                probe=lambda: self._store_probe(download, cookie),
            )
            try:
                self.backup_under_load(record)
            except subprocess.CalledProcessError as error:
                self.backup = {"error": (error.stderr or "")[-400:] or str(error)}
        finally:
            remaining = duration - (time.time() - load_started)
            if remaining > TAIL:
                load.send_signal(signal.SIGINT)  # a fault step failed: stop the load now
            load.wait(timeout=max(remaining, 0) + 60)
        print("drill: load done; waiting for the outbox to drain", flush=True)
        result = {}

        def drained() -> bool:
            nonlocal result
            answer = subprocess.run(
                [PY, "ops/drill_django.py", "verify", str(record)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=self.env,
            )
            result = json.loads(answer.stdout.strip().splitlines()[-1])
            exports = result["exports"]
            return not result["emails_unclaimed"] and not exports.get("pending")

        drained_in = wait_until(drained, DRAIN_SECONDS)
        return self.report(result, requests, drained_in)

    def backup_under_load(self, record: Path) -> None:
        """6. `make backup` while the load runs, the object store copied after it, then both
        restored into a fresh database and compared with the record of acknowledged writes."""
        print("drill: 6. backup under load, restored into a fresh database", flush=True)
        started = time.time()
        direct = self.env["CLUSTER_DIRECT_DATABASE_URL"]
        fresh = direct.rsplit("/", 1)[0] + "/restored"
        dump, files = self.work / "backup.dump", self.work / "files"
        env = {**self.env, "DATABASE_URL": direct}
        run = {"cwd": ROOT, "check": True, "capture_output": True, "text": True}
        subprocess.run(["make", "-s", "backup", f"BACKUP_FILE={dump}"], env=env, **run)
        backup_seconds = time.time() - started
        subprocess.run([PY, "ops/drill_django.py", "backup-files", str(files)], env=env, **run)
        host, port = "127.0.0.1", direct.rsplit(":", 1)[1].split("/")[0]
        subprocess.run(["createdb", "-h", host, "-p", port, "-U", "postgres", "restored"], **run)
        subprocess.run(
            ["make", "-s", "restore", f"BACKUP_FILE={dump}"],
            env={**self.env, "DATABASE_URL": fresh},
            **run,
        )
        answer = subprocess.run(
            [PY, "ops/drill_django.py", "restored", f"{record},{started},{files}"],
            env={**self.env, "DATABASE_URL": fresh},
            **run,
        )
        self.backup = json.loads(answer.stdout.strip().splitlines()[-1])
        self.backup["seconds"] = time.time() - started
        self.backup["dump_seconds"] = backup_seconds
        self.backup["size"] = dump.stat().st_size

    def _broker_probe(self) -> str:
        time.sleep(3)
        started = time.monotonic()
        status, answer = self.healthz()
        return (
            f"/healthz {status} broker={answer.get('checks', {}).get('broker')} "
            f"in {time.monotonic() - started:.1f}s"
        )

    def _store_probe(self, download: str, cookie: str) -> str:
        if not download:
            return "no export to download"
        started = time.monotonic()
        status = http(download, cookie=cookie, timeout=40)[0]
        return f"download answered {status} in {time.monotonic() - started:.1f}s"

    def report(self, result: dict, requests: Path, drained_in: float | None) -> int:
        lines = [json.loads(line) for line in requests.read_text().splitlines() if line]
        errors = [r for r in lines if r["status"] not in (200, 302)]
        print()
        print(f"{'step':34} {'requests':>8} {'errors':>7} {'recovered':>10}  observed")
        for step in self.steps:
            inside = [r for r in lines if step["start"] <= r["t"] <= step["end"]]
            bad = [r for r in inside if r["status"] not in (200, 302)]
            recover = "never" if step["recover"] is None else f"{step['recover']:.1f} s"
            print(
                f"{step['name']:34} {len(inside):>8} {len(bad):>7} {recover:>10}  "
                f"{step['observed']}"
            )
        outside = [
            r for r in errors if not any(s["start"] <= r["t"] <= s["end"] for s in self.steps)
        ]
        print(f"{'outside the faults':34} {'':>8} {len(outside):>7}")
        codes: dict[int, int] = {}
        for r in errors:
            codes[r["status"]] = codes.get(r["status"], 0) + 1
        print(f"errors by status (0: no answer): {codes or 'none'}")
        print(
            f"writes: {result['writes']} sent, {result['acked']} acknowledged, "
            f"{result['found']} found, {result['lost']} lost, "
            f"{result['duplicated_rows']} duplicated, {result['without_history']} without "
            f"their history row; unacknowledged: {result['unacked_present_whole']} saved whole, "
            f"{result['unacked_absent']} absent"
        )
        lost_emails = result["emails_expected"] - result["emails_unique"]
        print(
            f"e-mails: {result['emails_expected']} expected, {result['emails_unique']} sent, "
            f"{result['emails_duplicate']} twice, {lost_emails} lost "
            f"({result['emails_unclaimed']} never claimed)"
        )
        logs = Path(self.env["CLUSTER_DIR"]) / "log"
        restarts = sum(
            path.read_text(errors="replace").count(" exited (") for path in logs.glob("*.log")
        )
        print(f"processes restarted by their supervisor after exiting on their own: {restarts}")
        drained = "never" if drained_in is None else f"{drained_in:.0f} s"
        print(f"exports: {result['exports']}; outbox drained after the load in {drained}")
        backup = getattr(self, "backup", None)
        backup_broken = False
        if backup and "error" in backup:
            backup_broken = True
            print(f"backup under load FAILED: {backup['error']}")
        elif backup:
            backup_broken = bool(
                backup["found_in_restore"] != backup["acked_before_dump"] or backup["files_missing"]
            )
            print(
                f"backup under load: dump {backup['size'] // 1024} KB in "
                f"{backup['dump_seconds']:.1f} s, restored and checked in "
                f"{backup['seconds']:.0f} s: {backup['found_in_restore']} of "
                f"{backup['acked_before_dump']} writes acknowledged before the dump found; "
                f"{backup['files_named']} files named, {backup['files_missing']} missing from "
                f"the file backup"
            )
        dup = result["emails_duplicate"]
        print(
            f"drill: {len(lines)} requests, {len(errors)} errors, {result['acked']} writes "
            f"acknowledged, {result['found']} found, {result['lost']} lost, {dup} duplicate e-mails"
        )
        broken = (
            result["lost"]
            or dup
            or result["duplicated_rows"]
            or result["without_history"]
            or backup_broken
            or drained_in is None  # tasks asked for were never done: e-mails or exports lost
        )
        return 1 if broken else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--reuse", action="store_true", help="drill a running cluster")
    options = parser.parse_args()
    started = time.monotonic()
    os.environ.setdefault("OUTBOX_WAITING_SECONDS", "15")  # the sweeps, quicker for the drill

    def stop(signum, frame):
        raise SystemExit(130)

    signal.signal(signal.SIGTERM, stop)
    if not options.reuse:
        cluster("start")
    try:
        with tempfile.TemporaryDirectory(prefix="drill-") as work:
            status = Drill(cluster_env(), Path(work), options.users).run()
    finally:
        if not options.reuse and not options.keep:
            cluster("stop", check=False)
    print(f"drill took {time.monotonic() - started:.0f} s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
