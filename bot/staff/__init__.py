"""The school's staff: roles, the roster, coordinators, the school year."""
