"""Who uses the dashboard and what they may do: runs first on every rerun, before any data is
read, and stops the script (``st.stop``) for anyone not signed in.

- Users in ``DataFolder.dashboard_users`` (see :mod:`dashboard.users`): sign-in required; a
  password form (throttled, :mod:`dashboard.throttle`), or the identity provider when one is
  configured (``[auth]`` in ``.streamlit/secrets.toml``, ``st.login``), its e-mail mapped to a
  user of that name for the role.
- No users file and Streamlit bound to loopback, reached directly: the "local, no sign-in" mode,
  labelled in the sidebar; whoever can reach 127.0.0.1 on this machine can read the data folder
  anyway. Bound elsewhere, or reached through a proxy: refused until a user exists.

The signed-in name is re-read from the store on each run, so a removed user or a changed role
takes effect on that user's next click."""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from dashboard.settings import LOOPBACK, Settings
from dashboard.throttle import Throttle
from dashboard.users import ROLES, UserStore

LOCAL_USER = "local"
_SIGNED_IN = "cpo_signed_in"
_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    local: bool = False  # the "local, no sign-in" mode
    via_idp: bool = False  # signed in through the identity provider (st.login)

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class NotAllowed(Exception):
    """The signed-in user's role does not allow what was asked."""


def require(who: Identity, role: str) -> None:
    """The server-side check before any action: raise unless ``who`` has ``role``."""
    if not who.may(role):
        raise NotAllowed(f"{who.name} is a {who.role}: this needs the {role} role")


@st.cache_resource(show_spinner=False)
def _throttle() -> Throttle:
    return Throttle()  # one per dashboard process, shared by every browser session


def gate(settings: Settings) -> Identity:
    """The identity this run acts for; stops the script when there is none."""
    store = UserStore(settings.folder.dashboard_users)
    if not store.configured:
        return _local_or_refuse(store)
    who = _signed_in(store) or _from_identity_provider(store)
    if who is None:
        _sign_in_form(store)
        st.stop()
    _sidebar(who)
    return who


def _local_or_refuse(store: UserStore) -> Identity:
    address = st.get_option("server.address")
    proxied = any(h in st.context.headers for h in _PROXY_HEADERS)
    if address in LOOPBACK and not proxied:
        st.sidebar.warning(
            "**Local mode, no sign-in**: no dashboard users yet, and this dashboard is only "
            "reachable on this machine. `cpo users add NAME --role admin` turns sign-in on."
        )
        return Identity(LOCAL_USER, "admin", local=True)
    st.title("Sign-in required")
    st.error(
        f"This dashboard is served on {address or 'every address'}"
        + (" behind a proxy" if proxied else "")
        + f" and has no users yet. Add one: `cpo users add NAME --role admin --data-dir "
        f"{store.path.parent}`, then reload."
    )
    st.stop()


def _signed_in(store: UserStore) -> Identity | None:
    name = st.session_state.get(_SIGNED_IN)
    if not isinstance(name, str):
        return None
    user = store.get(name)
    if user is None:  # removed since
        del st.session_state[_SIGNED_IN]
        return None
    return Identity(user.name, user.role)


def _idp_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or one that does not parse: no identity provider
        return False


def _from_identity_provider(store: UserStore) -> Identity | None:
    # is_logged_in is True only once Streamlit has checked the provider's signed cookie.
    if st.user.get("is_logged_in") is not True:
        return None
    email = str(st.user.get("email") or "")
    user = store.get(email)
    if user is None:
        st.title("Not a dashboard user")
        st.error(f"You signed in as {email or 'someone without an e-mail'}, who has no role "
                 f"here. An admin can add you: `cpo users add {email or 'EMAIL'} --role viewer "
                 "--identity-provider`.")
        if st.button("Sign out"):
            st.logout()
        st.stop()
    return Identity(user.name, user.role, via_idp=True)


def _client_key() -> list[str]:
    address = st.context.ip_address  # None in tests: throttle by user name alone then
    return [f"client:{address}"] if address else []


def _sign_in_form(store: UserStore) -> None:
    st.title("Sign in")
    with st.form("sign_in"):
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in")
    if _idp_configured() and st.button("Sign in with the identity provider"):
        st.login()
    if submitted:
        _try(store, name.strip(), password)


def _try(store: UserStore, name: str, password: str) -> None:
    throttle, keys = _throttle(), [f"user:{name}", *_client_key()]
    wait = throttle.wait_s(*keys)
    if wait > 0:
        st.error(f"Too many failed sign-ins: try again in {math.ceil(wait)} s.")
        return
    user = store.verify(name, password)
    if user is None:
        throttle.failed(*keys)
        st.error("Wrong user name or password.")
        return
    throttle.succeeded(*keys)
    st.session_state[_SIGNED_IN] = user.name
    st.rerun()


def _sidebar(who: Identity) -> None:
    st.sidebar.caption(f"Signed in as **{who.name}** ({who.role})")
    if st.sidebar.button("Sign out", key="sign_out"):
        sign_out(who)


def sign_out(who: Identity) -> None:
    st.session_state.pop(_SIGNED_IN, None)
    if who.via_idp:
        st.logout()  # clears the provider's cookie, then reruns
    st.rerun()

