"""Helpers for the csms_lite robustness tests: raw OCPP-J clients and lake queries."""
