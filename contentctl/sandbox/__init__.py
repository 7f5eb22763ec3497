"""Faithful emulation of PowerPost and PostNitro: the default for trying contentctl, and the
twin every test runs against. Never imports the pipeline.

The emulation itself (``app``: a web framework, an imaging library) is imported only where
it runs: a command that needs only the sandbox's address and credentials
(``contentctl.sandbox.endpoints``) does not pay for it.
"""
