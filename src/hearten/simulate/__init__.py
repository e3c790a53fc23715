"""Simulated users: persona cards and the self-chat that plays them against a bot."""
