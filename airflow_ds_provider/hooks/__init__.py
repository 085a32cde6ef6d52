"""Airflow hooks of the OCI Data Science provider."""
