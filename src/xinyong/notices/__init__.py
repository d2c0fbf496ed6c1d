"""Notices (通知) to subjects and departments: in-platform messages that the recipient reads."""
