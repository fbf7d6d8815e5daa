"""The weekly coordinator digest: its figures, its text, its pictures, its history."""
