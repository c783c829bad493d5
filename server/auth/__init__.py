"""Staff sign-in for the console: passwords, sessions, cookies and CSRF."""
