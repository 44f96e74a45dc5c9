"""Flask-WTF forms with GOV.UK widgets, split by audience."""
