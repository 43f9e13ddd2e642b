"""Acme Portal: a small customer-facing web application with a single sign-on flow, used by the
Tierline demo and end-to-end tests as the service an engineer debugs live.

    directory.py  the users and their profiles (a few have thousands of characters of groups)
    auth.py       identity tokens: issue (and trim), validate; signed session cookies
    app.py        the WSGI application: the sign-in redirects and the home page
    config.py     settings from the environment
    __main__.py   `python -m portal --port 8100`, with the Tierline agent attached when configured
"""
