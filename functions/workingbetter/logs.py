"""The one structured logger. Log ids, enums and counts only: never a name, number or note."""

from aws_lambda_powertools import Logger

logger = Logger(service="working-better")
