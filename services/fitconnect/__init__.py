"""FIT-Connect: applications delivered to the responsible authority's back office (Submission
API v2), its answers followed through the event log, and the citizen's federal postbox (ZBP)."""
