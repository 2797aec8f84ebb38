"""Files the CSMS exchanges with chargers over HTTP(S), beside the OCPP link: firmware images it
serves (UpdateFirmware) and diagnostics / logs chargers upload to it (GetDiagnostics, GetLog),
each behind a signed per-request link, with the job tracked per charger to a final state."""
