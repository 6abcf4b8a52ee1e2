"""An SMTP server that stores every mail it accepts in a Maildir.

Started by mailtest.StartSMTPCapture with Debian's python3-aiosmtpd. It
speaks STARTTLS or implicit TLS, requires AUTH when a user is given, and
answers some recipients with the errors a real server gives:
reject-perm* -> 550 5.1.1, reject-temp* -> 451 4.3.0.
"""
import argparse
import mailbox
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir):
        self.box = mailbox.Maildir(maildir, create=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject-perm"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("reject-temp"):
            return "451 4.3.0 <%s>: Mailbox busy, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        head = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos))
        self.box.add(head.encode() + envelope.original_content)
        return "250 2.0.0 Message accepted"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tls", choices=["none", "starttls", "tls"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    a = p.parse_args()

    kwargs = {}
    if a.tls != "none":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        if a.tls == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        else:
            kwargs.update(ssl_context=ctx)
    if a.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user and auth_data.password.decode() == a.password
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=a.tls != "none")

    c = Controller(Handler(a.maildir), hostname="127.0.0.1", port=a.port, server_hostname="capture.test", **kwargs)
    c.start()
    print("READY", flush=True)
    sys.stdin.read()  # run until the test closes our stdin or kills us
    c.stop()


if __name__ == "__main__":
    main()
