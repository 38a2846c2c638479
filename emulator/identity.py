"""STS's GetCallerIdentity on the emulator's port, so a client with no other AWS stand-in (the
`bedrock-eval-janitor` command against `make emulator`) can learn the account it acts in.

STS speaks the query protocol: a form-encoded `POST /` answered in XML (botocore's `sts` model).
The account is the one the emulator keeps the caller's jobs in (its access key's account, as
`account_of_key` tells, else the emulator's own).
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

STS_CONTENT_TYPE = "text/xml"
_ANSWER = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{account}:user/emulator</Arn>
    <UserId>AIDAEMULATOR{account}</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>{request_id}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>"""


def is_sts_query(method: str, path: str, body: bytes, target: str | None) -> bool:
    return method == "POST" and path == "/" and target is None and body.startswith(b"Action=")


def answer_sts(body: bytes, account: str) -> tuple[int, str]:
    """(status, XML) for an STS query; GetCallerIdentity is the one action served."""
    action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
    if action != "GetCallerIdentity":
        return 400, (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>InvalidAction</Code><Message>The emulator serves only GetCallerIdentity, not {action}."
            f"</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )
    return 200, _ANSWER.format(account=account, request_id=uuid.uuid4())
