"""Fully automated services (no clerk): a registry of pipelines. The first one is the
Liegenschaftsauskunft (cadastral extract) of the district."""
