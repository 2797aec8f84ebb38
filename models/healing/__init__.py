"""Self-healing: turn fault scores and live charger state into remote actions, with guard rails,
and check afterwards whether they helped."""
