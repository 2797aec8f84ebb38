"""Run several long-lived processes as one system: start, watch, restart with back-off, stop."""
