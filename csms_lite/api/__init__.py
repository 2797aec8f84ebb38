"""The CSMS's HTTP command and live-state API (JSON, bearer token)."""
