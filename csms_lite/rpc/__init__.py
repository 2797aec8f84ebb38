"""OCPP-J framing shared by every protocol version: frames, error codes, schema validation."""
