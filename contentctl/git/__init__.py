"""Git, for content repositories: the only package that uses gitpython (imported lazily).

Everything here degrades quietly outside a git repository: no commit to record, nothing
dirty, no way to compute changes (that one is an error, since the user asked for it).
"""
