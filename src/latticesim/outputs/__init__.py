"""What a run leaves behind: tables, run folders, the chronicle and the report."""
