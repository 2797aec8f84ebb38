"""Simulated charge points: independent OCPP clients built on the ``ocpp`` package's
charge-point side (never on our server's code), so they can catch the server's bugs."""
