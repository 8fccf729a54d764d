"""A client generated from /api/schema/ by a tool nobody here wrote (openapi-python-client) runs
the whole workflow unchanged against a live server: no generator warning, no unexpected status.

The generator is in the dev extra; without it the test skips on a developer's machine (with the
reason) and fails in CI. The one generator option: PDF answers read as bytes
(``content_type_overrides``), which the generator cannot otherwise type.
"""

from __future__ import annotations

import datetime
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = """\
package_name_override: partenariats_client
content_type_overrides:
  application/pdf: application/octet-stream
post_hooks: []
"""


def generator() -> str:
    found = shutil.which("openapi-python-client") or str(
        Path(sys.executable).with_name("openapi-python-client")
    )
    if not Path(found).exists():
        if settings.CI:
            pytest.fail("openapi-python-client is missing: pip install -e '.[dev]'")
        pytest.skip("openapi-python-client is not installed (pip install -e '.[dev]')")
    return found


@pytest.fixture
def generated(live_server, tmp_path):
    """The client package generated from the live server's schema, imported."""
    import httpx

    command = generator()
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    package = tmp_path / "partenariats_client"
    run = subprocess.run(
        [
            command,
            "generate",
            "--path",
            tmp_path / "schema.json",
            "--config",
            tmp_path / "config.yaml",
            "--meta",
            "none",
            "--output-path",
            package,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "WARNING" not in output and "Error" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("partenariats_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("partenariats_client")]:
            del sys.modules[name]


def call(module, **kwargs):
    """One operation: its answer, which must be a documented success."""
    response = module.sync_detailed(**kwargs)
    assert 200 <= response.status_code < 300, (module.__name__, response.status_code, response)
    return response.parsed


def test_the_whole_workflow_with_a_generated_client(generated, live_server, owner, org_c):
    from importlib import import_module

    def api(name):
        return import_module(f"partenariats_client.api.{name}")

    def model(name):
        return getattr(import_module("partenariats_client.models"), name)

    client_module = import_module("partenariats_client.client")
    anonymous = client_module.Client(
        base_url=live_server.url,
        raise_on_unexpected_status=True,
        headers={"Accept-Language": "en"},
    )
    token = call(
        api("auth.auth_token_create"),
        client=anonymous,
        body=model("TokenRequestRequest")(username="alice", password="password"),
    ).token
    client = client_module.AuthenticatedClient(
        base_url=live_server.url,
        token=token,
        prefix="Token",
        raise_on_unexpected_status=True,
        headers={"Accept-Language": "en"},
    )
    partnerships = "partnerships."

    created = call(
        api(partnerships + "partnerships_create"),
        client=client,
        body=model("PartnershipCreateRequest")(
            title="Lecture partagée",
            organisation="association-a",
            partners=[model("PartnerRequest")(organisation="fondation-c")],
        ),
    )
    pid = created.id
    assert {party.organisation for party in created.parties} >= {"association-a", "fondation-c"}

    level = call(
        api(partnerships + "partnerships_levels_create"),
        client=client,
        partnership_id=pid,
        body=model("LevelCreateRequest")(
            kind=model("AssessmentKindEnum").PERCEIVED, level=3, party="association-a"
        ),
    )
    assert level.level == 3

    commitment = call(
        api(partnerships + "partnerships_commitments_create"),
        client=client,
        partnership_id=pid,
        body=model("CommitmentRequest")(
            party="association-a",
            title="Prêter dix livres",
            due_on=datetime.date.today() + datetime.timedelta(days=30),
        ),
    )
    concern = call(
        api(partnerships + "partnerships_concerns_create"),
        client=client,
        partnership_id=pid,
        body=model("ConcernCreateRequest")(
            kind=model("ConcernKindEnum").FEAR,
            category=model("ConcernCategoryEnum").POWER,
            description="Peur de perdre la main sur le projet",
            raised_by="association-a",
            intensity=3,
        ),
    )
    check = call(
        api(partnerships + "partnerships_concerns_checks_create"),
        client=client,
        partnership_id=pid,
        concern_id=concern.id,
        body=model("ConcernCheckCreateRequest")(intensity=2, note="Moins forte"),
    )
    assert check.intensity == 2

    review = call(
        api(partnerships + "partnerships_reviews_create"),
        client=client,
        partnership_id=pid,
        body=model("ReviewRequest")(scheduled_on=datetime.date.today()),
    )
    held = call(
        api(partnerships + "partnerships_reviews_hold_create"),
        client=client,
        partnership_id=pid,
        id=review.id,
    )
    assert held.status == model("ReviewStatusEnum").HELD
    closed = call(
        api(partnerships + "partnerships_reviews_close_create"),
        client=client,
        partnership_id=pid,
        id=review.id,
    )
    assert closed.status == model("ReviewStatusEnum").CLOSED

    again = call(api(partnerships + "partnerships_retrieve"), client=client, partnership_id=pid)
    assert again.title == "Lecture partagée"
    assert again.next_review_on == closed.next_review_on
    commitments = call(
        api(partnerships + "partnerships_commitments_list"), client=client, partnership_id=pid
    )
    assert [c.id for c in commitments.results] == [commitment.id]
    concerns = call(
        api(partnerships + "partnerships_concerns_list"), client=client, partnership_id=pid
    )
    assert [c.id for c in concerns.results] == [concern.id]
