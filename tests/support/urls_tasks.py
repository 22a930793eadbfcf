"""A tenant URLconf for tests: a view that queues a task during a real request."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from kreisportal.tasks import current_schema


def queue_schema_probe(request):
    result = current_schema.apply_async(queue=settings.TEST_TASK_QUEUE)
    return HttpResponse(result.id, content_type="text/plain")


urlpatterns = [path("queue-schema-probe", queue_schema_probe)]
