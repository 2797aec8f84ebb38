"""Remote commands: version-neutral requests turned into each OCPP version's CALL."""
