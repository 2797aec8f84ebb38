"""Signed links and the names files get."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from csms_lite.files.errors import FileRefused
from csms_lite.files.folders import charger_folder, safe_name, upload_path
from csms_lite.files.links import Links, nonce_of


def test_a_link_names_its_charger_and_file_until_it_expires(tmp_path: Path) -> None:
    links = Links(tmp_path / "key")
    token = links.mint("firmware", "CP-1", "fw.bin", time.time() + 60)
    link = links.check(token, "firmware", time.time())
    assert (link.charge_point_id, link.name) == ("CP-1", "fw.bin")
    assert nonce_of(f"http://h:1/files/firmware/{token}/fw.bin") == link.nonce
    assert (tmp_path / "key").stat().st_mode & 0o777 == 0o600
    # the key outlives the process: a new CSMS on the same data folder honours the link
    assert Links(tmp_path / "key").check(token, "firmware", time.time()) == link


@pytest.mark.parametrize("why", ["altered", "other key", "purpose", "expired"])
def test_a_link_is_refused(tmp_path: Path, why: str) -> None:
    links = Links(tmp_path / "key")
    token = links.mint("upload", "CP-1", "", time.time() + 60)
    body, _, signature = token.partition(".")
    checks = {
        "altered": (lambda: links.check(body + "A." + signature, "upload", time.time()),
                    "not issued by this CSMS"),
        "other key": (lambda: Links(tmp_path / "other").check(token, "upload", time.time()),
                      "not issued by this CSMS"),
        "purpose": (lambda: links.check(token, "firmware", time.time()),
                    "this link is for upload, not firmware"),
        "expired": (lambda: links.check(token, "upload", time.time() + 61), "expired"),
    }
    run, message = checks[why]
    with pytest.raises(FileRefused, match=message) as refused:
        run()
    assert refused.value.status == 403


def test_an_uploaded_file_lands_under_its_charger_and_time(tmp_path: Path) -> None:
    path = upload_path(tmp_path, "CP/../1", "../../etc/passwd", 1772323200.5)
    assert path == tmp_path / "CP%2F..%2F1" / "20260301T000000.500000Z_passwd"
    assert [charger_folder(i) for i in ("..", ".x", "CP_1", "CP/1", "CP-1")] == [
        "%2E.", "%2Ex", "CP_1", "CP%2F1", "CP-1"]
    assert safe_name("..hidden") == "hidden"
    assert safe_name("") == "upload.bin"
    assert safe_name("C:\\logs\\a b.txt") == "a_b.txt"
