"""The parts of bench/run.py: /proc readings, the API process, the load
generators (wrk and the paced Python clients), the scenarios and the report."""
