"""The coordinators' dashboard: who may sign in, and the views it shows."""
