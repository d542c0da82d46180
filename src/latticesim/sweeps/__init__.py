"""Many runs: sweep files and designs, executors, the store, comparisons, sensitivity, hindcast."""
