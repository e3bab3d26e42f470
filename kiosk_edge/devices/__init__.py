"""The kiosk's devices: ports (Protocols) and the simulators used for demos and tests."""
