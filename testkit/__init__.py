"""What the tests share, kept out of the wheel (setuptools ships only `abusedesk*`).

- `pipeline`: open cases the way intake does (raw message → reports → match → group → notify);
- `orm`: build a case straight through the ORM, for pages and the API;
- `fixtures`: the two-customer fixtures (clients logged in as customers, staff, compliance),
  loaded for every test by `pytest_plugins` in abusedesk/conftest.py.
"""
