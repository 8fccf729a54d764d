"""Where uploaded and generated files are kept: ``STORAGES["default"]`` from the environment.

Local disk (``MEDIA_ROOT``) is the embedded default. Several web and worker machines share files
through an S3-compatible object store instead, named either by one variable::

    STORAGE_URL=s3://bucket/prefix?endpoint_url=https://s3.example.net&region=eu-west-3

(the access key and secret in ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, or in the URL
as ``s3://KEY:SECRET@bucket/prefix``), or by the explicit ``AWS_STORAGE_BUCKET_NAME``,
``AWS_S3_ENDPOINT_URL``, ``AWS_S3_REGION_NAME`` and ``AWS_LOCATION`` variables.

The bucket stays private: objects are written with the ``private`` ACL and the app never hands
out their address. Every download goes through a view that asks the policy first, then streams
the object (``core.files``). Short time-outs make an unreachable store an error the page can
tell within seconds rather than a request that hangs until the proxy gives up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3 = "storages.backends.s3.S3Storage"
# Seconds: to connect to the store, then to wait for each answer; one retry.
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 5


def default_storage(environ: Mapping[str, str] = os.environ) -> dict:
    """The ``STORAGES["default"]`` entry the environment asks for."""
    url = environ.get("STORAGE_URL", "").strip()
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not url and not bucket:
        return dict(FILESYSTEM)
    options = {
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "bucket_name": bucket,
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        "location": environ.get("AWS_LOCATION", "").strip("/"),
    }
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("s3", "s3+https", "s3+http") or not parts.hostname:
            raise ImproperlyConfigured(
                "STORAGE_URL must read s3://bucket/prefix?endpoint_url=…&region=…, "
                f"not {parts.scheme or 'no scheme'}://…"
            )
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        options["bucket_name"] = parts.hostname
        options["location"] = unquote(parts.path).strip("/") or options["location"]
        if parts.username:
            options["access_key"] = unquote(parts.username)
            options["secret_key"] = unquote(parts.password or "")
        options["endpoint_url"] = query.get("endpoint_url") or options["endpoint_url"]
        options["region_name"] = query.get("region") or options["region_name"]
    from botocore.config import Config

    options.update(
        {
            # Private objects, never overwritten (each upload gets a fresh name), and no public
            # address: should anything ever ask for one, it is signed and expires in a minute.
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
            "client_config": Config(
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"max_attempts": 2, "mode": "standard"},
                # Path-style addresses work with every S3-compatible service (and moto).
                s3={"addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE", "path")},
            ),
        }
    )
    return {"BACKEND": S3, "OPTIONS": {k: v for k, v in options.items() if v is not None}}
