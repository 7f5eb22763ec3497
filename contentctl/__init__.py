"""contentctl: plan and apply social content from reviewed YAML manifests."""

__version__ = "0.1.0"
