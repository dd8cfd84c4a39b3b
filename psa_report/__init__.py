"""psa-report: a partnership's action plan (YAML in git) into its committee progress report."""
