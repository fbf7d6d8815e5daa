"""The demo school: its staff, PLGs and a believable network."""
