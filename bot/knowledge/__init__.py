"""Knowledge types: what was shared (focus, process, results, benefits)."""
