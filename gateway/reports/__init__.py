"""Reports: saving check results, and drawing them as an HTML page and an Open Graph image."""
