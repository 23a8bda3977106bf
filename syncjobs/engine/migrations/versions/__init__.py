"""Engine schema revisions."""
