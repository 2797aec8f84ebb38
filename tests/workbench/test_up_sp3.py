"""``cpo up`` passes security profile 3 on to its CSMS, and refuses half of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.runs.up import UpOptions, children


def test_the_csms_child_gets_the_client_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    # children() sets both in this process: monkeypatch restores them afterwards
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dh"))
    monkeypatch.setenv("CPO_DATA_DIR", str(tmp_path / "data"))
    ca = tmp_path / "ca.pem"
    opts = UpOptions(data_dir=tmp_path / "data", tls_cert=tmp_path / "c", tls_key=tmp_path / "k",
                     tls_client_ca=ca, require_client_cert=True)
    [csms] = [c for c in children(opts) if c.name == "csms"]
    argv = csms.argv
    assert argv[argv.index("--tls-client-ca") + 1] == str(ca)
    assert "--require-client-cert" in argv
    plain = UpOptions(data_dir=tmp_path / "data")
    [csms] = [c for c in children(plain) if c.name == "csms"]
    assert "--tls-client-ca" not in csms.argv
    assert "--require-client-cert" not in csms.argv


@pytest.mark.parametrize(("args", "message"), [
    (["--tls-client-ca", "ca.pem"], "--tls-client-ca needs --tls-cert"),
    (["--require-client-cert"], "--require-client-cert needs --tls-client-ca"),
])
def test_half_a_profile_3_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["up", "--data-dir", str(tmp_path / "d"), *args])
    assert result.exit_code == 2
    assert message in result.output
