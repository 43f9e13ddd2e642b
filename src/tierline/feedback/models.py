"""Feature requests: issues marked as requests, merged requests, who asked and the revenue behind them."""
