"""What the CSMS answers to each CALL a charger sends, one module per OCPP version."""
