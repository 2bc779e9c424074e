from django.core.management.base import BaseCommand

from selec.reference import load_reference_data


class Command(BaseCommand):
    help = "Load the parties, agencies, crime areas and task forces of SELEC (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        report = load_reference_data()
        self.stdout.write(
            f"Reference data: {report.parties} parties, {report.agencies} agencies, "
            f"{report.crime_areas} crime areas, {report.task_forces} task forces and "
            f"{report.sub_task_forces} sub-task forces added (existing ones kept)."
        )
