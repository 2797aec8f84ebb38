"""The one module that knows about object stores: a lake location becomes a filesystem here.

Everything else reads and writes the lake through the same calls for a local folder and an S3
bucket; only this module chooses. The client is Arrow's S3 filesystem (part of pyarrow, no extra
package): the converter writes with it, the listing lists with it, and DuckDB reads through it
(wrapped as an fsspec filesystem, since DuckDB's own httpfs extension cannot be installed
offline). Polars reads S3 with its own native client, given the same settings.

Failures become one-line ``LakeStoreError`` messages that say what to fix.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ingest.lake.errors import LakeStoreError
from ingest.lake.location import LakeLocation, S3Settings

if TYPE_CHECKING:  # the converter process never imports DuckDB
    import duckdb

CONNECT_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 30.0
_AWS_CODE = re.compile(r"AWS Error ([A-Z_]+)")
_CREDENTIALS = {"SIGNATURE_DOES_NOT_MATCH", "INVALID_ACCESS_KEY_ID", "UNRECOGNIZED_CLIENT",
                "INVALID_CLIENT_TOKEN_ID", "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN"}
_UNREACHABLE = {"NETWORK_CONNECTION", "REQUEST_TIME_TOO_SKEWED", "SERVICE_UNAVAILABLE",
                "REQUEST_TIMEOUT"}


def filesystem(location: LakeLocation) -> pafs.FileSystem:
    """Arrow's filesystem for the location; paths on it are ``location.fs_path(...)``."""
    return _s3(location.s3) if location.s3 is not None else pafs.LocalFileSystem()


@functools.lru_cache(maxsize=8)
def _s3(settings: S3Settings) -> pafs.S3FileSystem:
    endpoint, scheme = None, "https"
    if settings.endpoint_url is not None:
        scheme, _, endpoint = settings.endpoint_url.partition("://")
    return pafs.S3FileSystem(
        access_key=settings.access_key, secret_key=settings.secret_key,
        session_token=settings.session_token, region=settings.region,
        endpoint_override=endpoint, scheme=scheme,
        connect_timeout=CONNECT_TIMEOUT_S, request_timeout=REQUEST_TIMEOUT_S,
        # Open lazily: a part file smaller than one upload part (5 MB) is then a single PUT,
        # not a multipart upload's three requests.
        allow_delayed_open=True,
        retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=3),
    )


def list_files(location: LakeLocation, fs_path: str) -> list[pafs.FileInfo]:
    """Every file under ``fs_path`` (recursive); none if it does not exist."""
    try:
        infos = filesystem(location).get_file_info(pafs.FileSelector(fs_path, recursive=True))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise store_error(location, exc, "list") from None
    return [info for info in infos if info.type == pafs.FileType.File]


def put_parquet(location: LakeLocation, fs_path: str, table: pa.Table) -> None:
    """Upload ``table`` as one Parquet object. An S3 PUT is atomic (a multipart upload too,
    at its completion): readers see no object or the whole one, and a second PUT of the same
    key replaces it."""
    try:
        pq.write_table(table, fs_path, filesystem=filesystem(location), compression="zstd")
    except OSError as exc:
        raise store_error(location, exc, "write") from None


def check(location: LakeLocation) -> None:
    """One cheap request that fails the way a misconfigured lake would: no bucket, credentials
    refused, endpoint unreachable. A local lake needs no check (its folder is made on write)."""
    if location.s3 is None:
        return
    try:
        filesystem(location).get_file_info(
            pafs.FileSelector(location.bucket, recursive=False, allow_not_found=False))
    except OSError as exc:
        raise store_error(location, exc, "list") from None


def store_error(location: LakeLocation, exc: OSError, doing: str) -> LakeStoreError:
    """A one-line message for a failed request: what went wrong and what to fix."""
    settings = location.s3
    detail = " ".join(str(exc).split())
    if settings is None:
        return LakeStoreError(f"cannot {doing} the lake at {location}: {detail}")
    endpoint = settings.endpoint_label
    match = _AWS_CODE.search(detail)
    code = match.group(1) if match else ""
    if code == "NO_SUCH_BUCKET":
        return LakeStoreError(
            f"bucket {location.bucket!r} does not exist at {endpoint}: create it (e.g. "
            f"`aws s3 mb s3://{location.bucket}`) or fix the lake URL {location}")
    if code in _CREDENTIALS:
        return LakeStoreError(
            f"{endpoint} refused the credentials for {location} ({code}): check "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if code == "ACCESS_DENIED":
        return LakeStoreError(
            f"{endpoint} denied access to {location}: check AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, and that this key may list, read and write the bucket")
    if code in _UNREACHABLE or "curlCode" in detail:
        return LakeStoreError(
            f"cannot reach {endpoint} for {location}: start the server or fix "
            f"AWS_ENDPOINT_URL ({_short(detail)})")
    return LakeStoreError(f"cannot {doing} {location} at {endpoint}: {_short(detail)}")


def _short(detail: str, limit: int = 200) -> str:
    return detail if len(detail) <= limit else detail[: limit - 3] + "..."


def register_duckdb(conn: duckdb.DuckDBPyConnection, location: LakeLocation) -> None:
    """Let ``conn`` read ``location.uri(...)`` paths (nothing to do for a local lake)."""
    if location.s3 is None:
        return
    # only S3 lakes need fsspec (untyped)
    from fsspec.implementations.arrow import ArrowFSWrapper  # type: ignore[import-untyped]

    # The wrapper's protocol is the Arrow filesystem's type name, "s3": DuckDB routes s3://
    # paths to it (httpfs is not loaded, so nothing else claims them). One per protocol and
    # connection: a later call (maybe with other settings) replaces the earlier one.
    if "s3" in conn.list_filesystems():
        conn.unregister_filesystem("s3")
    conn.register_filesystem(ArrowFSWrapper(_s3(location.s3)))


def polars_options(location: LakeLocation) -> dict[str, str] | None:
    """``storage_options`` for Polars' own object-store client (None for a local lake)."""
    settings = location.s3
    if settings is None:
        return None
    options = {"aws_region": settings.region}
    if settings.endpoint_url is not None:
        options["aws_endpoint_url"] = settings.endpoint_url
        options["aws_allow_http"] = str(settings.endpoint_url.startswith("http://")).lower()
    for key, value in (("aws_access_key_id", settings.access_key),
                       ("aws_secret_access_key", settings.secret_key),
                       ("aws_session_token", settings.session_token)):
        if value is not None:
            options[key] = value
    return options
