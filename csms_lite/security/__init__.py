"""OCPP security: the CSMS's certificate authority, security profile 3 (chargers identified by
their client certificates) and the security-extension messages (1.6 whitepaper, 2.0.1 A/M)."""
