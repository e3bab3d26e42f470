"""The citizen's session: screens (screens.py), inputs (inputs.py) and the pure state machine (machine.py)."""
