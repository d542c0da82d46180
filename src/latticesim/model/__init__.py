"""The model: its state, set-up, agents, forums, meetings and decisions, events, recorder."""
