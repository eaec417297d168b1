"""Print a local bearer token: python -m infra.tokens --role coach --coach coach-amara"""

from __future__ import annotations

import argparse
import os

from workingbetter.auth import Role, local_token


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print a token the local stack accepts.")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--practice", help="ODS code, for --role referrer (e.g. F83001)")
    parser.add_argument("--coach", help="coach id, for --role coach (e.g. coach-amara)")
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args(argv)
    role = Role(args.role)
    if role is Role.REFERRER and not args.practice:
        parser.error("--role referrer needs --practice")
    if role is Role.COACH and not args.coach:
        parser.error("--role coach needs --coach")
    secret = os.environ.get("WB_LOCAL_JWT_SECRET", "local-dev-secret")
    print(local_token(role, secret, practice_ods=args.practice, coach_id=args.coach,
                      ttl_seconds=args.hours * 3600))


if __name__ == "__main__":
    main()
