"""Layer 5, the public API: starting, stopping and calling the other interpreters of a group."""
