"""The scheduler process: office routines on a timetable, one leader at a time (issue [7])."""
