"""Helpers of the test suite (not tests): the SSO walk, the browser fixtures, worker processes,
fakes of outside systems at the HTTP boundary, URL confs for fault tests."""
