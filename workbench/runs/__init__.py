"""Runs the commands start: a simulation, a replay, the demo; and what they print after."""
