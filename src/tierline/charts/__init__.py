"""Server-rendered SVG charts, pure geometry that the templates draw (no charting script):
`axes` the analytics pages' bar, stacked bar and line charts with axes, labels and a legend
(`templates/charts/chart.html`); `panels` the desk panels' compact charts: a metric's window with
its normal band, bars per week against a budget, series of days against an objective."""
