"""The roster reader moved below both front doors (schedules.roster_file); the CLI's import still works."""

from schedules.roster_file import RosterError as RosterError
from schedules.roster_file import read_roster as read_roster
from schedules.roster_file import read_roster_bytes as read_roster_bytes
