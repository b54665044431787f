"""Where abusedesk reads its shipped data files from (package data)."""
