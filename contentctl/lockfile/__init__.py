"""``contentctl.lock``: what exists remotely. Read, written durably after every step, merged.

- ``records``: the records (a step's, a resource's, the file's) and their JSON;
- ``text``: the file's deterministic text, and parsing it;
- ``journal``: the lines an apply appends instead of rewriting the file, and their replay;
- ``read``: the lockfile as commands see it, the file with its journal replayed over it;
- ``durable``: atomic replaces and fsync'd appends, and the errors a full disk becomes;
- ``files``, ``store``, ``writer``: the writer commands record changes through, each change
  persisted at once; ``remote_ids``: which remote ids its records hold;
- ``merge``, ``merge_records``: the three-way merge of two branches' lockfiles.
"""
