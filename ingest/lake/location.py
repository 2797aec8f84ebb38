"""Where the lake's Parquet part files live: a local folder or an ``s3://bucket/prefix`` URL.

Pure parsing, no I/O: :mod:`object_store` is what talks to a store. The journal is never here:
it always stays on the local disk of the node (it is the durability buffer), under the folder
given to ``LakeWriter``; only finished part files go to the location.

The S3 endpoint and credentials come from the standard AWS variables of the environment given
to ``parse``/``resolve`` (``os.environ`` unless the caller passes one), read when a URL is
parsed; a converter child gets them back from ``child_env`` (so secrets never go on a command
line): ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` (any S3-compatible server, e.g.
``http://127.0.0.1:8333``; unset means AWS itself), ``AWS_ACCESS_KEY_ID`` +
``AWS_SECRET_ACCESS_KEY`` (+ ``AWS_SESSION_TOKEN``; unset means the SDK's default chain), and
``AWS_REGION`` or ``AWS_DEFAULT_REGION`` (default ``us-east-1``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ingest.data_folder import DataFolder
from ingest.lake.errors import LakeUrlError

LAKE_URL_ENV = "CPO_LAKE_URL"
DEFAULT_REGION = "us-east-1"
# S3's bucket naming rules (lower case, 3-63 characters, no leading/trailing dot or hyphen).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: not a drive letter
_HOW = f"use a folder or s3://bucket/prefix (argument --lake-url or ${LAKE_URL_ENV})"


@dataclass(frozen=True, slots=True)
class S3Settings:
    """How to reach an S3-compatible store (secrets are kept out of ``repr``)."""

    endpoint_url: str | None  # scheme://host[:port]; None: AWS
    region: str
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)

    @property
    def endpoint_label(self) -> str:
        return self.endpoint_url or f"AWS S3 ({self.region})"


@dataclass(frozen=True, slots=True)
class LakeLocation:
    """The root of the lake's tables. ``root`` is an absolute folder for a local lake, or
    ``bucket`` or ``bucket/prefix`` for S3 (``s3`` set)."""

    root: str
    s3: S3Settings | None = None

    @property
    def is_local(self) -> bool:
        return self.s3 is None

    @property
    def bucket(self) -> str:
        return self.root.split("/", 1)[0]

    @property
    def local_path(self) -> Path:
        if self.s3 is not None:
            raise ValueError(f"{self} is not a local folder")
        return Path(self.root)

    def fs_path(self, *parts: str) -> str:
        """A path for ``object_store.filesystem(self)``: ``root/part/part``."""
        return "/".join((self.root, *parts))

    def uri(self, fs_path: str) -> str:
        """What DuckDB and Polars open for an ``fs_path``: the path itself, or ``s3://...``."""
        return fs_path if self.s3 is None else f"s3://{fs_path}"

    def table_glob(self, table: str) -> str:
        """Every complete part file of ``table`` (temp files are hidden ``*.tmp``)."""
        return self.uri(self.fs_path(table, "*", "*.parquet"))

    def __str__(self) -> str:
        return self.root if self.s3 is None else f"s3://{self.root}"


LakeRef = Path | str | LakeLocation  # what readers accept: a folder, a URL, or a location


def of(ref: LakeRef, env: Mapping[str, str] | None = None) -> LakeLocation:
    """A location from a folder, a URL (``s3://``, ``file://`` or a plain path) or itself."""
    if isinstance(ref, LakeLocation):
        return ref
    if isinstance(ref, Path):
        return LakeLocation(str(ref.absolute()))
    return parse(ref, env)


def resolve(data_dir: Path, url: str | None = None,
            env: Mapping[str, str] | None = None) -> LakeLocation:
    """``url`` if given, else ``$CPO_LAKE_URL`` if set, else the default ``<data_dir>/lake``."""
    env = os.environ if env is None else env
    chosen = url if url else env.get(LAKE_URL_ENV, "").strip()
    return parse(chosen, env) if chosen else of(DataFolder(data_dir).local_lake)


def parse(url: str, env: Mapping[str, str] | None = None) -> LakeLocation:
    """Parse a lake URL; raises ``LakeUrlError`` with what is wrong and how to fix it."""
    text = url.strip()
    if not text:
        raise LakeUrlError(f"empty lake location: {_HOW}")
    if "://" not in text:
        if _SCHEME.match(text):  # "s3:/bucket", "s3:bucket": a URL gone wrong, not a folder
            raise LakeUrlError(f"lake URL {url!r} is malformed: write scheme://...; {_HOW}")
        return of(Path(text))
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise LakeUrlError(f"lake URL {url!r}: file:// URLs take no host; use file:///path")
        return of(Path(parts.path))
    if scheme != "s3":
        raise LakeUrlError(f"lake URL {url!r}: unsupported scheme {parts.scheme!r}; {_HOW}")
    if parts.query or parts.fragment or parts.username or parts.port:
        raise LakeUrlError(f"lake URL {url!r}: no query, fragment, user or port allowed; "
                           "set the endpoint and credentials with the AWS_* variables")
    bucket = parts.netloc
    if not bucket:
        raise LakeUrlError(f"lake URL {url!r} names no bucket; {_HOW}")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise LakeUrlError(f"lake URL {url!r}: {bucket!r} is not a valid S3 bucket name "
                           "(3-63 lower-case letters, digits, dots or hyphens)")
    prefix = parts.path.strip("/")
    segments = prefix.split("/") if prefix else []
    if any(s in ("", ".", "..") for s in segments):
        raise LakeUrlError(f"lake URL {url!r}: the prefix has an empty, '.' or '..' segment")
    return LakeLocation("/".join([bucket, *segments]), _s3_settings(os.environ if env is None
                                                                    else env))


_S3_VARS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION")


def child_env(base: Mapping[str, str], where: LakeLocation) -> dict[str, str]:
    """``base`` with the AWS variables replaced by ``where``'s settings: a child process that
    parses ``str(where)`` in it gets the same location, whatever this process's own env says."""
    settings = where.s3
    if settings is None:
        return dict(base)
    env = {name: value for name, value in base.items() if name not in _S3_VARS}
    for name, value in (("AWS_ENDPOINT_URL", settings.endpoint_url),
                        ("AWS_ACCESS_KEY_ID", settings.access_key),
                        ("AWS_SECRET_ACCESS_KEY", settings.secret_key),
                        ("AWS_SESSION_TOKEN", settings.session_token),
                        ("AWS_REGION", settings.region)):
        if value is not None:
            env[name] = value
    return env


def _s3_settings(env: Mapping[str, str]) -> S3Settings:
    var = "AWS_ENDPOINT_URL_S3" if env.get("AWS_ENDPOINT_URL_S3") else "AWS_ENDPOINT_URL"
    endpoint = env.get(var, "").strip().rstrip("/") or None
    if endpoint is not None:
        split = urlsplit(endpoint)
        if split.scheme not in ("http", "https") or not split.hostname or split.path:
            raise LakeUrlError(f"{var}={endpoint!r} is not an endpoint URL like "
                               "http://127.0.0.1:8333 or https://s3.example.com")
        try:
            split.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise LakeUrlError(f"{var}={endpoint!r} has a bad port") from None
    key, secret = env.get("AWS_ACCESS_KEY_ID") or None, env.get("AWS_SECRET_ACCESS_KEY") or None
    if (key is None) != (secret is None):
        missing = "AWS_SECRET_ACCESS_KEY" if secret is None else "AWS_ACCESS_KEY_ID"
        raise LakeUrlError(f"{missing} is not set while its pair is: set both, or neither to "
                           "use the AWS SDK's default credentials")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return S3Settings(endpoint, region, key, secret, env.get("AWS_SESSION_TOKEN") or None)
