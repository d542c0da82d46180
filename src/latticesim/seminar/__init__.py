"""The seminar dashboard: pages, panels and role-play rooms."""
