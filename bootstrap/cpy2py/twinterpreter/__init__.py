"""Twinterpreters: starting, stopping and talking to the other interpreters of a group."""
