"""Apache Airflow provider for Oracle Cloud Infrastructure Data Science."""

__version__ = "0.1.0"
