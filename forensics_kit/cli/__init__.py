"""The ``fklab`` command: a thin layer over forensics_kit and grader (see main.py)."""
