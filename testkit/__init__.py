"""What the tests share, kept out of the wheel (setuptools ships only `abusedesk*`).

- `pipeline`: open cases the way intake does (raw message → reports → match → group → notify);
- `orm`: build a case straight through the ORM (`make_case`), for pages, the API and the state machine;
- `helpers`: free ports, polling, racing threads;
- `faults`: real processes for the fault tests and the soak benchmark (redis-server, a PostgreSQL
  cluster, abusedesk commands as children);
- `fixtures`: the two-customer fixtures (clients logged in as customers, staff, compliance),
  loaded for every test by `pytest_plugins` in abusedesk/conftest.py.
"""
