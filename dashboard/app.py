"""The operations dashboard: ``streamlit run dashboard/app.py -- --data-dir D [--api-url URL]``
(what ``cpo dashboard`` runs). Signs the user in (dashboard.auth), builds the shared sidebar
filters, then runs the chosen page."""

from __future__ import annotations

import sys
from datetime import date

import streamlit as st

from dashboard.auth import gate
from dashboard.context import Context, publish, runner
from dashboard.filters import Filters
from dashboard.queries.common import Span, choices, span
from dashboard.settings import Settings, load

# Without these the pages cannot say anything useful; the rest are optional per section.
CORE = ("dim_chargers", "dim_sites", "sessions")


def empty_state(settings: Settings, problem: str) -> None:
    d = settings.data_dir
    st.title("No warehouse yet")
    st.warning(problem)
    st.markdown(
        "Create one, then reload this page:\n\n"
        f"```sh\ncpo simulate --data-dir {d} --chargers 20 --days 7   # or record real chargers\n"
        f"cpo pipelines run --data-dir {d}\n```\n\n"
        "or run `cpo demo`, which builds a demo data folder and serves this dashboard on it."
    )
    st.stop()


def sidebar(sp: Span, sites: list[str], models: list[str]) -> Filters:
    st.sidebar.header("Filters")
    picked = st.sidebar.date_input(
        "Date range",
        value=(sp.first, sp.last),
        min_value=sp.first,
        max_value=sp.last,
        key="f_dates",
    )
    # While a range is being picked the widget holds one date only.
    days = [
        d for d in (picked if isinstance(picked, tuple | list) else [picked]) if isinstance(d, date)
    ]
    start = days[0] if days else sp.first
    end = days[1] if len(days) > 1 else (start if days else sp.last)
    chosen_sites = st.sidebar.multiselect("Sites", sites, key="f_sites", placeholder="All sites")
    chosen_models = st.sidebar.multiselect(
        "Charger models", models, key="f_models", placeholder="All models"
    )
    return Filters(start=start, end=end, sites=tuple(chosen_sites), models=tuple(chosen_models))


def main() -> None:
    st.set_page_config(
        page_title="CPO operations", page_icon=":material/ev_station:", layout="wide"
    )
    settings = load(sys.argv[1:])
    who = gate(settings)  # before any data is read: stops here for anyone not signed in
    run, found = runner(settings.marts_dir)
    if not found:
        empty_state(settings, f"There is no warehouse at {settings.marts_dir}.")
    missing = [t for t in CORE if t not in found]
    if missing:
        empty_state(settings, f"The warehouse at {settings.marts_dir} lacks {', '.join(missing)}.")
    sp = span(run, set(found))
    if sp is None:
        empty_state(settings, f"The warehouse at {settings.marts_dir} has no sessions yet.")
        return
    sites, models = choices(run, set(found))
    publish(
        Context(
            settings=settings, tables=found, run=run, span=sp, filters=sidebar(sp, sites, models),
            identity=who,
        )
    )
    st.sidebar.caption(f"Data: {settings.data_dir}")
    admin = [st.Page("views/users.py", title="Users", icon=":material/group:")]
    nav = st.navigation(
        [
            st.Page(
                "views/overview.py", title="Network overview", icon=":material/home:", default=True
            ),
            st.Page("views/reliability.py", title="Reliability", icon=":material/build:"),
            st.Page("views/planning.py", title="Site planning", icon=":material/place:"),
            st.Page("views/pricing.py", title="Pricing insights", icon=":material/payments:"),
            st.Page("views/energy.py", title="Energy", icon=":material/bolt:"),
            st.Page("views/partners.py", title="Partners", icon=":material/handshake:"),
            *(admin if who.may("admin") else []),
        ]
    )
    nav.run()


main()
