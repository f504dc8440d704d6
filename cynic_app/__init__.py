"""cynic_app."""
