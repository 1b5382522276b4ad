"""Outputs: the board report (HTML and PDF), its charts and narrative, the workbook, the national comparison."""
