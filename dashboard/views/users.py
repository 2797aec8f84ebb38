"""Users (admins only): who may sign in to this dashboard, with which role; the same store as
``cpo users``. Adding the first user turns sign-in on for everyone."""

from __future__ import annotations

import streamlit as st

from dashboard.context import current
from dashboard.users import ROLES, UserStore, UserStoreError

ctx = current()
if not ctx.identity.may("admin"):  # the page is in the menu for admins only; checked here too
    st.error(f"{ctx.identity.name} is a {ctx.identity.role}: managing users needs the admin role.")
    st.stop()
store = UserStore(ctx.settings.folder.dashboard_users)
st.title("Users")
users = store.users()
st.dataframe(
    [{"user": u.name, "role": u.role,
      "signs in with": "password" if u.password_hash else "identity provider"}
     for u in users.values()],
    hide_index=True, width="stretch",
)
if ctx.identity.local:
    st.info("Local mode: adding a user turns sign-in on; sign in as that user afterwards.")

with st.form("add_user", clear_on_submit=True):
    st.markdown("**Add a user**")
    name = st.text_input("User name (an e-mail for the identity provider)")
    role = st.selectbox("Role", ROLES)
    password = st.text_input("Password (empty: identity provider only)", type="password")
    added = st.form_submit_button("Add")
if added:
    try:
        store.add(name.strip(), str(role), password or None)
        st.success(f"Added {name.strip()} ({role}).")
    except UserStoreError as exc:
        st.error(str(exc))

if users:
    with st.form("change_user"):
        st.markdown("**Change or remove a user**")
        who = st.selectbox("User", list(users))
        new_role = st.selectbox("New role", ROLES)
        change = st.form_submit_button("Set role")
        remove = st.form_submit_button("Remove")
    try:
        if change:
            store.set_role(str(who), str(new_role))
            st.success(f"{who} is now {new_role}.")
        if remove:
            store.remove(str(who))
            st.success(f"Removed {who}.")
    except UserStoreError as exc:
        st.error(str(exc))
