#!/usr/bin/env python3
"""Synthetic Okta System Log for bench/adapters.sh: N events as JSON Lines, shaped like the
API's (about 1.8 KB each), for USERS users; a subjects file lists the users' e-mails so that
every event resolves. Deterministic (seeded).

    bench/gen_logs.py N USERS OUT_LOG OUT_SUBJECTS
"""
import json
import random
import sys

n, users, out_log, out_subjects = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rnd = random.Random(18)
types = ["user.session.start"] * 5 + ["policy.evaluate_sign_on", "user.authentication.auth_via_mfa",
         "user.session.end", "user.authentication.sso", "app.oauth2.as.token.grant"]
with open(out_subjects, "w") as f:
    for u in range(users):
        f.write(json.dumps({"kind": "subject", "subject_id": f"s-{u}", "source": "hr_system",
                            "claimed_country": "US", "emails": [f"user{u}@example.com"]}) + "\n")
with open(out_log, "w") as f:
    t = 1_767_225_600  # 2026-01-01
    for i in range(n):
        u = rnd.randrange(users)
        t += rnd.randrange(0, 30)
        ip = f"{rnd.choice([73, 98, 113, 81, 126])}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
        et = rnd.choice(types)
        ev = {
            "actor": {"alternateId": f"user{u}@example.com", "detailEntry": None, "displayName": f"User {u}",
                      "id": f"00u{u:08d}", "type": "User"},
            "authenticationContext": {"authenticationProvider": None, "authenticationStep": 0,
                                      "credentialProvider": None, "credentialType": None,
                                      "externalSessionId": f"102{rnd.getrandbits(64):x}", "interface": None,
                                      "issuer": None},
            "client": {"device": "Computer",
                       "geographicalContext": {"city": "Seattle", "country": "United States",
                                               "geolocation": {"lat": 47.6062, "lon": -122.3321},
                                               "postalCode": "98101", "state": "Washington"},
                       "id": None, "ipAddress": ip,
                       "userAgent": {"browser": "CHROME", "os": "Windows 10",
                                     "rawUserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
                       "zone": "null"},
            "debugContext": {"debugData": {"deviceFingerprint": f"{rnd.getrandbits(128):032x}",
                                           "requestId": f"X{rnd.getrandbits(96):x}",
                                           "requestUri": "/idp/idx/authenticators/poll",
                                           "threatSuspected": "false", "url": "/idp/idx/authenticators/poll?"}},
            "displayMessage": "User login to Okta", "eventType": et, "legacyEventType": "core.user_auth.login_success",
            "outcome": {"reason": None, "result": rnd.choice(["SUCCESS"] * 9 + ["FAILURE"])},
            "published": f"{__import__('datetime').datetime.utcfromtimestamp(t).isoformat()}.{rnd.randrange(1000):03d}Z",
            "request": {"ipChain": [{"geographicalContext": {"city": "Seattle", "country": "United States",
                                                             "geolocation": {"lat": 47.6062, "lon": -122.3321},
                                                             "postalCode": "98101", "state": "Washington"},
                                     "ip": ip, "source": None, "version": "V4"}]},
            "securityContext": {"asNumber": 7922, "asOrg": "comcast", "domain": "comcast.net", "isProxy": False,
                                "isp": "comcast"},
            "severity": "INFO", "target": None,
            "transaction": {"detail": {}, "id": f"X{rnd.getrandbits(96):x}", "type": "WEB"},
            "uuid": f"{rnd.getrandbits(128):032x}", "version": "0",
        }
        f.write(json.dumps(ev, separators=(",", ":")) + "\n")
