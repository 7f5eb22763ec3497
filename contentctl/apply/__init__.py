"""Apply: run exactly the planned steps, persist after every one, resume what was pending.

The executor runs the steps; each kind names its runners (contentctl/kinds/).
"""
