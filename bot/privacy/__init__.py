"""Privacy: what plgbot keeps and why, a person's own data, opting out and in."""
