"""Whiteboard question rounds: creating and running them, replies, agendas, holidays."""
