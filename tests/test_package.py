"""The wheel runs from anywhere: built, installed into a fresh virtual environment and run from
a folder outside the source with the production settings, it migrates, collects its static
files, passes ``check --deploy``, and serves the sign-in page in French and its static files.

Offline and quick: the wheel is built without build isolation (setuptools and Babel are in the
dev extra and the dependencies), installed without its dependencies, which the fresh environment
reads from the running one's site-packages (a .pth line), not from the source folder.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

SOURCE = Path(settings.BASE_DIR)


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh environment holding the wheel (and the running one's packages)."""
    work = tmp_path_factory.mktemp("package")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        str(work / "dist"),
        str(SOURCE),
        cwd=work,
    )
    (wheel,) = (work / "dist").glob("partenariats-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", str(work / "venv"))
    python = work / "venv" / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        str(wheel),
    )
    fresh = run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    # The dependencies, from the running environment; its editable install of this project is
    # not loaded (a .pth file is read in site folders only, not in a folder it adds).
    Path(fresh.stdout.strip(), "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


@pytest.fixture(scope="module")
def site(installed, tmp_path_factory):
    """The environment of a production run in a folder of its own, outside the source."""
    folder = tmp_path_factory.mktemp("site")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "package-test-" + "y" * 30,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "CELERY_BROKER_URL": "",
    }
    return folder, env


def manage(installed, site, *arguments) -> subprocess.CompletedProcess:
    folder, env = site
    return run(str(installed), "-m", "django", *arguments, cwd=folder, env=env)


def test_the_installed_package_runs_from_anywhere(installed, site):
    folder, env = site
    where = run(str(installed), "-c", "import config; print(config.__file__)", cwd=folder, env=env)
    assert not where.stdout.strip().startswith(str(SOURCE)), where.stdout

    manage(installed, site, "migrate", "--noinput")
    manage(installed, site, "collectstatic", "--noinput")
    assert (folder / "staticfiles" / "staticfiles.json").exists()  # not in site-packages
    check = manage(installed, site, "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in check.stdout

    port = free_port()
    server = subprocess.Popen(
        [str(installed), "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        # Behind the HTTPS proxy production assumes.
        proxied = {"X-Forwarded-Proto": "https", "Accept-Language": "fr"}
        status, page = get(f"{base}/accounts/login/", **proxied)
        assert status == 200, page[:2000]
        assert '<html lang="fr">' in page
        assert "Se connecter" in page
        stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', page)
        assert stylesheet, page[:2000]
        status, css = get(base + stylesheet.group(1), **proxied)
        assert status == 200 and css.strip()
        status, missing = get(f"{base}/nowhere/", **proxied)
        assert status == 404 and '<html lang="fr">' in missing
    finally:
        server.terminate()
        server.wait(timeout=20)
