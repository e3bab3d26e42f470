"""The kiosk bus's security and clustering: NKEY users per kiosk, the development CA, generated server configs."""
