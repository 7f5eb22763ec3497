"""contentctl: plan and apply social content from reviewed YAML manifests."""

__version__ = "0.2.0"
# The name on the package index. `contentctl` there is another project (Splunk's Content
# Control Tool): workflows and docs always install this name, at an exact version.
DISTRIBUTION = "contentctl-social"
