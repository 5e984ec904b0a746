"""Pure casework rules: states and transitions, clocks, kinds, documents' content; no I/O."""
