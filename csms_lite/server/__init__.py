"""The WebSocket side of the CSMS: handshake, connections, live hub, watchdog."""
