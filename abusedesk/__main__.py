from abusedesk.cli import main

main()
