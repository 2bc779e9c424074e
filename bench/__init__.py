"""The benchmark: ``python manage.py bench`` generates exchanges at scale into a database of its
own and measures the pages, services and HTTP throughput against bare SQL of the same rows."""
