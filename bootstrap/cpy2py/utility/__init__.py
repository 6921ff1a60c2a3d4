"""Helpers shared by the runtime, standard library only."""
