"""HTTP push against a real server on 127.0.0.1: signature, retries with back-off, rejection,
the delivery log, and no double delivery unless forced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.reports import delivery_log, push
from pipelines.reports.build import run_report
from tests.pipelines.receiver import SECRET, Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve() as state:
        yield state


def test_success_signed(receiver: Receiver) -> None:
    result = push.push(receiver.url, SECRET, b'{"x":1}', "rid", sleep=lambda s: None)
    assert (result.status, result.attempts, result.http_status) == ("delivered", 1, 200)
    assert [r["code"] for r in receiver.received] == [200]


def test_server_error_then_retry_with_backoff(receiver: Receiver) -> None:
    receiver.script = [503, 500]
    slept: list[float] = []
    result = push.push(receiver.url, SECRET, b"{}", "rid", base_delay_s=0.5, sleep=slept.append)
    assert (result.status, result.attempts) == ("delivered", 3)
    assert slept == [0.5, 1.0]  # exponential: base, 2 x base
    assert [r["code"] for r in receiver.received] == [503, 500, 200]


def test_gives_up_after_max_attempts(receiver: Receiver) -> None:
    receiver.script = [500, 500, 500]
    result = push.push(receiver.url, SECRET, b"{}", "rid", max_attempts=3, sleep=lambda s: None)
    assert (result.status, result.attempts, result.http_status) == ("failed", 3, 500)


def test_bad_signature_is_rejected_without_retry(receiver: Receiver) -> None:
    result = push.push(receiver.url, b"wrong-secret", b"{}", "rid", sleep=lambda s: None)
    assert (result.status, result.attempts, result.http_status) == ("rejected", 1, 401)
    assert "bad signature" in result.reason
    assert len(receiver.received) == 1


def test_unreachable_endpoint_fails_after_retries() -> None:
    result = push.push(
        "http://127.0.0.1:9/none",
        SECRET,
        b"{}",
        "rid",
        max_attempts=2,
        timeout_s=1,
        sleep=lambda s: None,
    )
    assert (result.status, result.attempts) == ("failed", 2)
    assert "network" in result.reason


def _configure(data_dir: Path, url: str) -> None:
    (data_dir / "config" / "partner_delivery.json").write_text(
        json.dumps({"partners": {"EMSP-ROAMY": {"url": url, "secret_env": "ROAMY_TEST_SECRET"}}})
    )


def test_report_delivered_once_unless_forced(
    data_dir: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROAMY_TEST_SECRET", SECRET.decode())
    _configure(data_dir, receiver.url)
    first = run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True)
    assert first.delivery == "delivered"
    body = json.loads(receiver.received[0]["body"])  # type: ignore[arg-type]
    assert body["manifest"]["totals"]["revenue"] == pytest.approx(2.1)
    assert set(body["files"]) == {"cdrs.json", "cdrs.csv", "summary.pdf"}
    assert receiver.received[0]["report_id"] == first.report_id

    again = run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True)
    assert (again.outbox, again.delivery) == ("unchanged", "already_delivered")
    assert len(receiver.received) == 1

    forced = run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True, force=True)
    assert forced.delivery == "delivered"
    assert len(receiver.received) == 2
    statuses = [e["status"] for e in delivery_log.entries(data_dir / "reports")]
    assert statuses == ["delivered", "skipped_already_delivered", "delivered"]


def test_rejected_push_is_logged(
    data_dir: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROAMY_TEST_SECRET", "not-the-partners-secret")
    _configure(data_dir, receiver.url)
    outcome = run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True)
    assert outcome.delivery == "rejected"
    assert not outcome.ok
    [entry] = delivery_log.entries(data_dir / "reports")
    assert (entry["status"], entry["http_status"], entry["attempts"]) == ("rejected", 401, 1)
    # not delivered, so the next run tries again
    monkeypatch.setenv("ROAMY_TEST_SECRET", SECRET.decode())
    assert run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True).delivery == "delivered"


def test_missing_secret_env_is_a_clear_error(
    data_dir: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.errors import ConfigFileError

    monkeypatch.delenv("ROAMY_TEST_SECRET", raising=False)
    _configure(data_dir, receiver.url)
    with pytest.raises(ConfigFileError, match="ROAMY_TEST_SECRET"):
        run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True)


def test_plain_http_only_on_loopback(data_dir: Path) -> None:
    from pipelines.errors import ConfigFileError

    _configure(data_dir, "http://partner.example/cdrs")
    with pytest.raises(ConfigFileError, match="must be an https:// URL"):
        run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True)
