"""Measures of the observatories registers, registered with the indicator engine."""
