"""Reported values: dated values per organisation for an indicator without a register, with their
evidence, reviewed by a manager of another organisation. ``definitions`` defines such an indicator,
``services`` submits a value, ``forms`` and ``views`` are their pages (``urls`` of indicators names them).
"""
