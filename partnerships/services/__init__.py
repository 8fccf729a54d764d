"""Writes with rules: every change to partnership data goes through a function here, which
checks who may make it, validates, and records the author in the history.

Import each function from its module (``partnerships.services.records`` ...); this package
re-exports nothing.
"""
