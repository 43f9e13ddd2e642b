"""Closing the loop: notices to affected customers when a fix ships, satisfaction surveys, outgoing webhooks."""
