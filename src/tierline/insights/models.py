"""Analytics of issues: inflow, response and resolution times, escalations, the long tail, hotspots, customer health."""
