"""Reports: facts in, rendered out. charts.py holds the chart helpers every report and the dashboard share."""
