from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from taskforces.selectors import task_forces_for_directory


@require_GET
def task_force_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "taskforces/task_force_list.html", {"task_forces": task_forces_for_directory()}
    )
