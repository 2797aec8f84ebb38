"""Lake locations: parsing URLs and the AWS settings, with no server (one-line errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.lake import location
from ingest.lake.errors import LakeUrlError

ENV = {"AWS_ENDPOINT_URL": "http://127.0.0.1:8333", "AWS_ACCESS_KEY_ID": "key",
       "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-3"}


def test_an_s3_url_names_bucket_prefix_and_settings() -> None:
    where = location.parse("s3://cpo-lake/prod/lake/", ENV)
    assert (where.root, where.bucket, str(where)) == ("cpo-lake/prod/lake", "cpo-lake",
                                                      "s3://cpo-lake/prod/lake")
    assert not where.is_local
    assert where.s3 is not None
    assert (where.s3.endpoint_url, where.s3.region) == ("http://127.0.0.1:8333", "eu-west-3")
    assert (where.s3.access_key, where.s3.secret_key) == ("key", "secret")
    assert "secret" not in repr(where)
    assert where.table_glob("commands") == "s3://cpo-lake/prod/lake/commands/*/*.parquet"


def test_a_bucket_alone_is_a_lake_at_its_root() -> None:
    where = location.parse("s3://cpo-lake", {})
    assert where.fs_path("commands") == "cpo-lake/commands"
    assert where.s3 is not None
    assert (where.s3.endpoint_url, where.s3.region, where.s3.access_key) == (
        None, "us-east-1", None)  # AWS itself, the SDK's own credential chain


def test_folders_and_file_urls_are_local(tmp_path: Path) -> None:
    for ref in (str(tmp_path), f"file://{tmp_path}", tmp_path):
        where = location.of(ref)
        assert where.is_local
        assert where.local_path == tmp_path
        assert where.uri(where.fs_path("x")) == str(tmp_path / "x")


def test_resolve_prefers_the_argument_then_the_environment_then_the_data_folder(
    tmp_path: Path,
) -> None:
    env = {location.LAKE_URL_ENV: "s3://from-env/x", **ENV}
    assert str(location.resolve(tmp_path, "s3://from-arg", env)) == "s3://from-arg"
    assert str(location.resolve(tmp_path, None, env)) == "s3://from-env/x"
    assert location.resolve(tmp_path, None, {}).local_path == tmp_path / "lake"


@pytest.mark.parametrize(("url", "says"), [
    ("s3://", "names no bucket"),
    ("s3:///prefix", "names no bucket"),
    ("s3://Bad_Bucket/x", "not a valid S3 bucket name"),
    ("s3://ab/x", "not a valid S3 bucket name"),
    ("s3://bucket/a//b", "empty, '.' or '..' segment"),
    ("s3://bucket/a/../b", "empty, '.' or '..' segment"),
    ("s3://bucket/x?versionId=1", "no query"),
    ("s3://user@bucket/x", "no query, fragment, user or port"),
    ("gs://bucket/x", "unsupported scheme 'gs'"),
    ("https://bucket.s3.amazonaws.com/x", "unsupported scheme 'https'"),
    ("file://host/x", "take no host"),
    ("  ", "empty lake location"),
    ("s3:/bucket/x", "malformed: write scheme://"),
    ("s3:bucket", "malformed: write scheme://"),
])
def test_malformed_urls_fail_in_one_line_that_says_how_to_fix(url: str, says: str) -> None:
    with pytest.raises(LakeUrlError, match=says) as raised:
        location.parse(url, ENV)
    assert isinstance(raised.value, IngestError)  # the CLI shows it as a user error
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(("env", "says"), [
    ({"AWS_ENDPOINT_URL": "127.0.0.1:8333"}, "is not an endpoint URL like http://"),
    ({"AWS_ENDPOINT_URL": "ftp://host"}, "is not an endpoint URL"),
    ({"AWS_ENDPOINT_URL": "http://host:port"}, "bad port"),
    ({"AWS_ENDPOINT_URL_S3": "http://h/path"}, "AWS_ENDPOINT_URL_S3="),
    ({"AWS_ACCESS_KEY_ID": "key"}, "AWS_SECRET_ACCESS_KEY is not set"),
    ({"AWS_SECRET_ACCESS_KEY": "secret"}, "AWS_ACCESS_KEY_ID is not set"),
])
def test_malformed_aws_settings_fail_in_one_line(env: dict[str, str], says: str) -> None:
    with pytest.raises(LakeUrlError, match=says) as raised:
        location.parse("s3://bucket/x", env)
    assert "\n" not in str(raised.value)


def test_the_s3_specific_endpoint_wins() -> None:
    where = location.parse("s3://bucket", {**ENV, "AWS_ENDPOINT_URL_S3": "https://s3.example"})
    assert where.s3 is not None
    assert where.s3.endpoint_url == "https://s3.example"


def test_a_child_env_carries_the_locations_settings_over_the_parents() -> None:
    where = location.parse("s3://cpo-lake/prod", ENV)
    parent = {"PATH": "/bin", "AWS_ENDPOINT_URL_S3": "http://elsewhere:1", "AWS_PROFILE_X": "p",
              "AWS_SECRET_ACCESS_KEY": "other", "AWS_SESSION_TOKEN": "stale"}
    env = location.child_env(parent, where)
    assert location.parse(str(where), env) == where  # what the converter child parses
    assert (env["PATH"], env["AWS_PROFILE_X"]) == ("/bin", "p")
    assert "AWS_SESSION_TOKEN" not in env
    assert "AWS_ENDPOINT_URL_S3" not in env
    assert location.child_env(parent, location.of(Path("/lake"))) == parent  # local: as is
