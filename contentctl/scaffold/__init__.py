"""What `contentctl init` writes: a content repository, its GitHub workflows, and (with
--multi) a repository of many projects sharing a template library."""
