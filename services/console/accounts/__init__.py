"""Staff accounts of the console: who may sign in, with which role and department."""
