"""Extra links of the provider's operators and sensors: the OCI Console page of a resource
(:class:`~airflow_ds_provider.links.console.DataScienceConsoleLink`) and the Logging search of a
job run (:class:`~airflow_ds_provider.links.console.DataScienceLogSearchLink`), with the URL
builders in :mod:`airflow_ds_provider.links.urls`."""
