"""The network: interactions, metrics, key figures and profiles, nudges, the survey."""
