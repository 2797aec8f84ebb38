"""Real-data replay: read real charging sessions (ACN-Data JSON, or any CSV with mapped
columns), turn them into OCPP 1.6J traffic through a real CSMS on a simulated clock, then
reconcile what the lake recovered with what the file holds."""
