"""Measures of the alliance registers, registered with the indicator engine."""
