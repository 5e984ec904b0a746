"""The HTTP request and response models of casework (pydantic), separate from tables and domain."""
