"""Backup and restore of the database, checked afterwards."""
