"""The one structured logger and the one metrics sink (CloudWatch embedded metric format).

Log and measure ids, enums and counts only: never a name, number, condition or note.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = "WorkingBetter"
METRICS_DISABLED = "POWERTOOLS_METRICS_DISABLED"
logger = Logger(service="working-better")


def count(name: str, **dimensions: str) -> None:
    """One occurrence of something worth a chart, published at once with its own dimensions
    (enums only: a triage route, a step, an exit reason). Powertools' own switch turns it off
    (POWERTOOLS_METRICS_DISABLED=true, which single_metric does not read itself): the local
    stack's quiet log does."""
    if os.environ.get(METRICS_DISABLED, "").lower() == "true":
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE,
                       default_dimensions={"service": "working-better"}) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)
