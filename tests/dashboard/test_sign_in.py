"""Sign-in and roles through Streamlit's AppTest on the fixture warehouse: nobody signed in sees
no data, a viewer reads but cannot command, an operator's command reaches a real CSMS on
loopback and its lake row names them, wrong passwords are refused and throttled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from dashboard.auth import Identity, NotAllowed
from dashboard.command_panel import send
from dashboard.throttle import FREE
from dashboard.users import UserStore
from ingest.data_folder import DataFolder
from ingest.lake.reader import read_table
from tests.dashboard.test_pages import APP
from tests.threaded_csms import answering_charger, threaded_csms

PASSWORDS = {"vera": "viewer-pass-1", "olga": "operator-pass-1", "adam": "admin-pass-12"}


@pytest.fixture
def store(fixture_dir: Path) -> Iterator[UserStore]:
    """A user per role and one of the identity provider's, in the fixture's data folder; the
    file goes afterwards, so the tests without it see the local mode."""
    users = UserStore(DataFolder(fixture_dir).dashboard_users)
    for (name, password), role in zip(PASSWORDS.items(), ("viewer", "operator", "admin"),
                                      strict=True):
        users.add(name, role, password)
    users.add("sso@example.com", "viewer", None)
    yield users
    users.path.unlink()


def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch, api_url: str | None = None,
        token: str | None = None) -> AppTest:
    monkeypatch.setenv("CPO_DATA_DIR", str(data_dir))
    for name, value in (("CPO_API_URL", api_url), ("CPO_API_TOKEN", token)):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    return AppTest.from_file(APP, default_timeout=60).run()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def shows_nothing_of_the_warehouse(at: AppTest) -> bool:
    return not at.metric and not at.dataframe and not at.subheader and not at.sidebar.multiselect


def test_not_signed_in_sees_no_data_and_no_commands(
    fixture_dir: Path, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(fixture_dir, monkeypatch, api_url="http://127.0.0.1:9")
    assert [t.value for t in at.title] == ["Sign in"]
    assert shows_nothing_of_the_warehouse(at)
    at.switch_page("views/reliability.py").run()  # straight to the page with the commands
    assert [t.value for t in at.title] == ["Sign in"]
    assert shows_nothing_of_the_warehouse(at)
    assert "Send a command" not in [s.value for s in at.subheader]


@pytest.mark.parametrize(("name", "password"), [("olga", "viewer-pass-1"), ("nobody", "x" * 12),
                                                ("olga", "")])
def test_wrong_password_is_refused(fixture_dir: Path, store: UserStore,
                                   monkeypatch: pytest.MonkeyPatch, name: str,
                                   password: str) -> None:
    at = sign_in(app(fixture_dir, monkeypatch), name, password)
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert [t.value for t in at.title] == ["Sign in"]
    assert shows_nothing_of_the_warehouse(at)


def test_guessing_is_throttled(fixture_dir: Path, store: UserStore,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    store.add("gina", "viewer", "gina-pass-12")  # a name of its own: the throttle outlives tests
    at = app(fixture_dir, monkeypatch)
    for _ in range(FREE):
        sign_in(at, "gina", "not-her-password")
    sign_in(at, "gina", "gina-pass-12")  # right, but too late: the name is locked a while
    assert [e.value for e in at.error] == ["Too many failed sign-ins: try again in 30 s."]
    assert [t.value for t in at.title] == ["Sign in"]
    # a new browser session does not reset it
    fresh = sign_in(app(fixture_dir, monkeypatch), "gina", "gina-pass-12")
    assert next(e.value for e in fresh.error).startswith("Too many failed sign-ins")


def test_viewer_sees_pages_but_cannot_command(
    fixture_dir: Path, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = sign_in(app(fixture_dir, monkeypatch, api_url="http://127.0.0.1:9"), "vera",
                 PASSWORDS["vera"])
    assert any(m.label == "NEVI uptime" for m in at.metric)
    assert "Signed in as **vera** (viewer)" in [c.value for c in at.sidebar.caption]
    at.switch_page("views/reliability.py").run()
    assert "Port uptime: 1 of 4 ports below 97 %" in [s.value for s in at.subheader]
    assert [i.value for i in at.info][-1].startswith("Signed in as vera (viewer): viewers "
                                                     "cannot send commands")
    assert not [b for b in at.button if b.label == "Send"]
    # and the one function that sends refuses a viewer whatever the page shows
    with pytest.raises(NotAllowed):
        send(None, Identity("vera", "viewer"), "B-2", "reset (hard)", 0)  # type: ignore[arg-type]


def test_operator_command_reaches_the_csms_with_their_name(
    fixture_dir: Path, store: UserStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with threaded_csms(tmp_path / "csms") as csms, answering_charger(csms, "B-2") as calls:
        at = app(fixture_dir, monkeypatch, api_url=csms.api_url, token=csms.server.api.token)
        sign_in(at, "olga", PASSWORDS["olga"])
        at.switch_page("views/reliability.py").run()
        at.selectbox[0].set_value("B-2")
        at.selectbox[1].set_value("reset (hard)")
        at.checkbox[0].check()
        next(b for b in at.button if b.label == "Send").click().run()
        assert [s.value for s in at.success] == ["reset to B-2: answered Accepted"]
        assert [c[2:] for c in calls] == [["Reset", {"type": "Hard"}]]
        csms.server.writer.flush()
        rows = read_table(csms.data_dir / "lake", "commands")
    assert rows.select("charge_point_id", "action", "requested_by").rows() == [
        ("B-2", "Reset", "operator:olga")
    ]
    assert rows.filter(pl.col("reason") == "sent by hand from the dashboard").height == 1


def test_sign_out(fixture_dir: Path, store: UserStore, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(fixture_dir, monkeypatch), "adam", PASSWORDS["adam"])
    assert any(m.label == "NEVI uptime" for m in at.metric)
    at.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert shows_nothing_of_the_warehouse(at)


def test_a_removed_user_is_signed_out_on_the_next_run(
    fixture_dir: Path, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add("tim", "operator", "tim-pass-123")
    at = sign_in(app(fixture_dir, monkeypatch), "tim", "tim-pass-123")
    assert any(m.label == "NEVI uptime" for m in at.metric)
    store.remove("tim")
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]


def test_admin_has_the_users_page(fixture_dir: Path, store: UserStore,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(fixture_dir, monkeypatch), "adam", PASSWORDS["adam"])
    at.switch_page("views/users.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert dict(zip(table["user"], table["role"], strict=True))["olga"] == "operator"


def test_identity_provider_user_gets_the_role_of_their_email(
    fixture_dir: Path, store: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPO_DATA_DIR", str(fixture_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, "email": "sso@example.com"}
    at.run()
    assert "Signed in as **sso@example.com** (viewer)" in [c.value for c in at.sidebar.caption]
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert [t.value for t in at.title] == ["Not a dashboard user"]
    assert shows_nothing_of_the_warehouse(at)


def test_without_users_off_loopback_nothing_is_served(
    fixture_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not DataFolder(fixture_dir).dashboard_users.exists()
    config.set_option("server.address", "0.0.0.0")  # the conftest fixture sets it back
    at = app(fixture_dir, monkeypatch)
    assert [t.value for t in at.title] == ["Sign-in required"]
    assert shows_nothing_of_the_warehouse(at)


def test_without_users_on_loopback_the_local_mode_says_so(
    fixture_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(fixture_dir, monkeypatch)
    assert at.sidebar.warning[0].value.startswith("**Local mode, no sign-in**")
    assert any(m.label == "NEVI uptime" for m in at.metric)
