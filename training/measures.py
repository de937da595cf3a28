"""Measures of the training registers, registered with the indicator engine."""
