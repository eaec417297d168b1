"""Working Better: jobs on prescription, one Step Functions run per referral."""
