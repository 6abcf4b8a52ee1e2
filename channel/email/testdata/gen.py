#!/usr/bin/env python3
"""Writes the MIME corpus: one .eml per case and the expected parse beside it.

The bytes of every charset come from Python's own codecs, an implementation
independent of golang.org/x/text, so the Go table test cross-checks the
decoders. Run from this directory: python3 gen.py
"""
import base64
import hashlib
import json
import quopri
import urllib.parse

CRLF = b"\r\n"


def ew(text, charset, enc="B"):
    """An RFC 2047 encoded word."""
    raw = text.encode(charset)
    if enc == "B":
        return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode())
    q = "".join(
        chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else ("_" if b == 32 else "=%02X" % b)
        for b in raw
    )
    return "=?%s?Q?%s?=" % (charset, q)


def crlf(text):
    return text.replace("\n", "\r\n")


def body(text, charset, cte):
    raw = crlf(text).encode(charset)
    if cte == "base64":
        b = base64.encodebytes(raw)
        return b.replace(b"\n", CRLF)
    if cte == "quoted-printable":
        return quopri.encodestring(raw).replace(b"\r\n", b"\n").replace(b"\n", CRLF)
    return raw


def part(headers, payload):
    out = b"".join(h.encode("latin-1") + CRLF for h in headers)
    return out + CRLF + payload


def text_part(text, ctype, charset, cte, extra=(), codec=None):
    """A text part labelled charset, its bytes made by codec (default: the label)."""
    params = "; charset=%s" % charset if charset else ""
    hs = ["Content-Type: %s%s" % (ctype, params), "Content-Transfer-Encoding: %s" % cte] + list(extra)
    return part(hs, body(text, codec or charset or "ascii", cte))


def multipart(subtype, parts, boundary, params="", extra=()):
    hs = ['Content-Type: multipart/%s; boundary="%s"%s' % (subtype, boundary, params)] + list(extra)
    b = boundary.encode()
    payload = b"This is a multi-part message in MIME format." + CRLF
    for p in parts:
        payload += b"--" + b + CRLF + p + CRLF
    payload += b"--" + b + b"--" + CRLF
    return hs, payload


def message(envelope, content_headers, payload):
    hs = envelope + ["MIME-Version: 1.0"] + content_headers
    return part(hs, payload)


def file_part(data, ctype, filename_header, cid=None, disposition="attachment"):
    hs = ["Content-Type: %s" % ctype, "Content-Transfer-Encoding: base64"]
    if filename_header:
        hs.append("Content-Disposition: %s; %s" % (disposition, filename_header))
    else:
        hs.append("Content-Disposition: %s" % disposition)
    if cid:
        hs.append("Content-ID: <%s>" % cid)
    return part(hs, base64.encodebytes(data).replace(b"\n", CRLF))


def sha(data):
    return hashlib.sha256(data).hexdigest()


def addr(name, a):
    return {"name": name, "addr": a}


CASES = []


def case(name, raw, **want):
    want.setdefault("to", [addr("Support", "support@parley.example")])
    for k in ("cc", "reply_to", "in_reply_to", "references", "inline", "attachments", "html_contains", "html_excludes"):
        want.setdefault(k, [])
    for k in ("quoted", "signature", "auto"):
        want.setdefault(k, "")
    want.setdefault("report", None)
    want.setdefault("visible", want.get("text", ""))
    CASES.append((name, raw, want))


def env(frm, subject, msgid, date="Fri, 01 Mar 2024 10:00:00 +0800", to="Support <support@parley.example>", extra=()):
    return ["From: " + frm, "To: " + to, "Subject: " + subject, "Message-ID: <%s>" % msgid, "Date: " + date] + list(extra)


# 1. UTF-8, quoted-printable, English quote header and a signature.
t = ("Hi team,\n\nMy order #1042 hasn’t arrived — could you check? Ünïcödé ✓\n\n"
     "-- \nAna Lima\nLima & Co\n\n"
     "On Thu, Feb 29, 2024 at 9:00 AM Support <support@parley.example> wrote:\n> Thanks for your order.\n> It ships tomorrow.")
case("utf8-qp-quoted",
     message(env("%s <ana@Example.COM>" % ew("Ana Lima ✓", "utf-8", "Q"), ew("Where is my order? 📦", "utf-8"),
                 "CAF=ana1@mail.example.com",
                 extra=["Cc: Bo <bo@example.com>, carl@example.com", "Reply-To: Ana <ana.reply@example.com>",
                        "In-Reply-To: <root-1@parley.example>",
                        "References: <root-1@parley.example>\r\n <out-2@parley.example>"]),
             ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
             body(t, "utf-8", "quoted-printable")),
     **{"from": addr("Ana Lima ✓", "ana@Example.COM"), "cc": [addr("Bo", "bo@example.com"), addr("", "carl@example.com")],
        "reply_to": [addr("Ana", "ana.reply@example.com")], "subject": "Where is my order? 📦",
        "message_id": "CAF=ana1@mail.example.com", "in_reply_to": ["root-1@parley.example"],
        "references": ["root-1@parley.example", "out-2@parley.example"], "date": "2024-03-01T02:00:00Z",
        "text": t, "visible": "Hi team,\n\nMy order #1042 hasn’t arrived — could you check? Ünïcödé ✓",
        "signature": "-- \nAna Lima\nLima & Co",
        "quoted": "On Thu, Feb 29, 2024 at 9:00 AM Support <support@parley.example> wrote:\n> Thanks for your order.\n> It ships tomorrow."})

# 2. GB2312 label carrying a GBK-only character (喆), multipart/alternative,
#    base64, Chinese "在…写道：" quote header.
t = "你好，\n\n我的订单还没有到，请帮忙查一下。王喆\n\n在 2024年2月29日 09:00，客服 <support@parley.example> 写道：\n> 您的订单已发货。"
h = "<html><body><p>你好，</p><p>我的订单还没有到，请帮忙查一下。王喆</p><blockquote>您的订单已发货。</blockquote></body></html>"
hs, payload = multipart("alternative", [text_part(t, "text/plain", "gb2312", "base64", codec="gbk"),
                                        text_part(h, "text/html", "gb2312", "base64", codec="gbk")], "alt-gb")
case("gb2312-alternative",
     message(env("%s <wang@example.cn>" % ew("王喆", "gbk"), ew("订单查询", "gb2312"), "gb1@example.cn"), hs, payload),
     **{"from": addr("王喆", "wang@example.cn"), "subject": "订单查询", "message_id": "gb1@example.cn",
        "date": "2024-03-01T02:00:00Z", "text": t, "visible": "你好，\n\n我的订单还没有到，请帮忙查一下。王喆",
        "quoted": "在 2024年2月29日 09:00，客服 <support@parley.example> 写道：\n> 您的订单已发货。",
        "html_contains": ["我的订单还没有到", "<blockquote>"]})

# 3. GBK, 8bit, Q-encoded subject; Gmail zh quote header.
t = "退货申请：商品有瑕疵，堃。\n\n客服 <support@parley.example> 于2024年2月29日周四 09:00写道：\n> 请提供照片。"
case("gbk-8bit",
     message(env("li@example.cn", ew("退货申请 堃", "gbk", "Q"), "gbk1@example.cn"),
             ["Content-Type: text/plain; charset=GBK", "Content-Transfer-Encoding: 8bit"], body(t, "gbk", "8bit")),
     **{"from": addr("", "li@example.cn"), "subject": "退货申请 堃", "message_id": "gbk1@example.cn",
        "date": "2024-03-01T02:00:00Z", "text": t, "visible": "退货申请：商品有瑕疵，堃。",
        "quoted": "客服 <support@parley.example> 于2024年2月29日周四 09:00写道：\n> 请提供照片。"})

# 4. GB18030 with a four-byte character outside the BMP (𠮷) and the euro.
t = "发票抬头：吉野家𠮷 €100"
case("gb18030-4byte",
     message(env("zhao@example.cn", ew("发票 𠮷", "gb18030"), "gb18030-1@example.cn"),
             ["Content-Type: text/plain; charset=GB18030", "Content-Transfer-Encoding: base64"],
             body(t, "gb18030", "base64")),
     **{"from": addr("", "zhao@example.cn"), "subject": "发票 𠮷", "message_id": "gb18030-1@example.cn",
        "date": "2024-03-01T02:00:00Z", "text": t})

# 5. Big5, quoted-printable, Gmail zh-TW header.
t = "您好，請問退款進度如何？\n\n客服 <support@parley.example> 於2024年2月29日 週四 上午9:00寫道：\n> 已收到您的申請。"
case("big5-qp",
     message(env("%s <chen@example.tw>" % ew("陳小姐", "big5"), ew("退款進度", "big5"), "big5-1@example.tw"),
             ["Content-Type: text/plain; charset=big5", "Content-Transfer-Encoding: quoted-printable"],
             body(t, "big5", "quoted-printable")),
     **{"from": addr("陳小姐", "chen@example.tw"), "subject": "退款進度", "message_id": "big5-1@example.tw",
        "date": "2024-03-01T02:00:00Z", "text": t, "visible": "您好，請問退款進度如何？",
        "quoted": "客服 <support@parley.example> 於2024年2月29日 週四 上午9:00寫道：\n> 已收到您的申請。"})

# 6. ISO-2022-JP, 7bit, Apple Mail Japanese quote header.
t = "お世話になっております。\n配送状況を教えてください。\n\n2024/02/29 9:00、サポート <support@parley.example>のメッセージ:\n> ご注文ありがとうございます。"
case("iso2022jp",
     message(env("%s <taro@example.jp>" % ew("山田太郎", "iso-2022-jp"), ew("配送について", "iso-2022-jp"),
                 "jis1@example.jp", date="Fri, 1 Mar 2024 11:00:00 +0900"),
             ["Content-Type: text/plain; charset=ISO-2022-JP", "Content-Transfer-Encoding: 7bit"],
             body(t, "iso-2022-jp", "7bit")),
     **{"from": addr("山田太郎", "taro@example.jp"), "subject": "配送について", "message_id": "jis1@example.jp",
        "date": "2024-03-01T02:00:00Z", "text": t, "visible": "お世話になっております。\n配送状況を教えてください。",
        "quoted": "2024/02/29 9:00、サポート <support@parley.example>のメッセージ:\n> ご注文ありがとうございます。"})

# 7. Shift_JIS body, an RFC 2231 UTF-8 filename, an Outlook Japanese header block.
t = "見積書を添付します。\n\n差出人: サポート <support@parley.example>\n送信日時: 2024年2月29日 9:00\n件名: 見積もり\n\nご依頼ありがとうございます。"
pdf = b"%PDF-1.4 fake but fine\n" * 3
hs, payload = multipart("mixed", [
    text_part(t, "text/plain", "shift_jis", "base64"),
    file_part(pdf, "application/pdf", "filename*=UTF-8''" + urllib.parse.quote("見積書.pdf")),
], "mixed-sjis")
case("shiftjis-rfc2231",
     message(env("suzuki@example.jp", ew("見積書", "shift_jis"), "sjis1@example.jp"), hs, payload),
     **{"from": addr("", "suzuki@example.jp"), "subject": "見積書", "message_id": "sjis1@example.jp",
        "date": "2024-03-01T02:00:00Z", "text": t, "visible": "見積書を添付します。",
        "quoted": "差出人: サポート <support@parley.example>\n送信日時: 2024年2月29日 9:00\n件名: 見積もり\n\nご依頼ありがとうございます。",
        "attachments": [{"content_type": "application/pdf", "filename": "見積書.pdf", "size": len(pdf), "sha256": sha(pdf)}]})

# 8. ISO-8859-2 body (Polish), ISO-8859-1 subject, French quote header.
t = "Zażółć gęślą jaźń – proszę o fakturę.\n\nLe 29 févr. 2024, Support <support@parley.example> a écrit :\n> Merci."
case("iso8859-2",
     message(env("%s <jan@example.pl>" % ew("Jan Kowalski", "iso-8859-2", "Q"), ew("Réclamation café", "iso-8859-1", "Q"),
                 "latin2@example.pl"),
             ["Content-Type: text/plain; charset=iso-8859-2", "Content-Transfer-Encoding: quoted-printable"],
             body(t.replace("–", "-"), "iso-8859-2", "quoted-printable")),
     **{"from": addr("Jan Kowalski", "jan@example.pl"), "subject": "Réclamation café", "message_id": "latin2@example.pl",
        "date": "2024-03-01T02:00:00Z", "text": t.replace("–", "-"),
        "visible": "Zażółć gęślą jaźń - proszę o fakturę.",
        "quoted": "Le 29 févr. 2024, Support <support@parley.example> a écrit :\n> Merci."})

# 9. ISO-8859-15 (the euro sign lives at 0xA4 there, not in 8859-1).
t = "Prix: 20 € – œuvre"
case("iso8859-15",
     message(env("marie@example.fr", ew("Facture €", "iso-8859-15", "Q"), "latin9@example.fr"),
             ["Content-Type: text/plain; charset=ISO-8859-15", "Content-Transfer-Encoding: 8bit"],
             body(t.replace("–", "-"), "iso-8859-15", "8bit")),
     **{"from": addr("", "marie@example.fr"), "subject": "Facture €", "message_id": "latin9@example.fr",
        "date": "2024-03-01T02:00:00Z", "text": t.replace("–", "-")})

# 10. Windows-1252 smart quotes, Outlook "-----Original Message-----".
t = "“Thanks” – the €5 fee is fine.\n\n-----Original Message-----\nFrom: Support <support@parley.example>\nSent: Thursday, February 29, 2024 9:00 AM\nSubject: Fee\n\nThere is a fee."
case("windows1252-outlook",
     message(env("tom@example.com", ew("RE: Fee", "windows-1252", "Q"), "cp1252@example.com"),
             ["Content-Type: text/plain; charset=\"windows-1252\"", "Content-Transfer-Encoding: quoted-printable"],
             body(t, "cp1252", "quoted-printable")),
     **{"from": addr("", "tom@example.com"), "subject": "RE: Fee", "message_id": "cp1252@example.com",
        "date": "2024-03-01T02:00:00Z", "text": t, "visible": "“Thanks” – the €5 fee is fine.",
        "quoted": "-----Original Message-----\nFrom: Support <support@parley.example>\nSent: Thursday, February 29, 2024 9:00 AM\nSubject: Fee\n\nThere is a fee."})

# 11. Windows-1251 HTML only: text comes from the HTML; scripts, styles,
#     handlers, javascript: links and remote images are removed.
h = ("<html><head><title>ignored</title><style>p{color:red}</style></head><body>"
     "<p onclick=\"steal()\">Здравствуйте!</p><script>alert(1)</script>"
     "<p>Заказ <b>№ 77</b> не пришёл.<br>Спасибо</p>"
     "<a href=\"javascript:alert(2)\">клик</a> <a href=\"https://example.ru/track\">ссылка</a>"
     "<img src=\"https://tracker.example/pixel.gif\" alt=\"\"><ul><li>один</li><li>два</li></ul></body></html>")
case("windows1251-html-only",
     message(env("ivan@example.ru", ew("Заказ", "windows-1251"), "cp1251@example.ru"),
             ["Content-Type: text/html; charset=windows-1251", "Content-Transfer-Encoding: base64"],
             body(h, "cp1251", "base64")),
     **{"from": addr("", "ivan@example.ru"), "subject": "Заказ", "message_id": "cp1251@example.ru",
        "date": "2024-03-01T02:00:00Z",
        "text": "Здравствуйте!\n\nЗаказ № 77 не пришёл.\nСпасибо\n\nклик ссылка\n\n- один\n- два",
        "html_contains": ["Здравствуйте!", "<b>№ 77</b>", "https://example.ru/track", "rel=\"nofollow noreferrer noopener\"", "target=\"_blank\"", "<img src=\"\""],
        "html_excludes": ["<script", "alert(1)", "onclick", "javascript:", "<style", "color:red", "tracker.example", "<title"]})

# 12. multipart/alternative with multipart/related: inline image by
#     Content-ID, plus an attachment with an RFC 2231 continued filename and
#     one with an RFC 2047 encoded name (Outlook).
png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16
csv = "id,total\n1,20\n".encode()
doc = b"PK\x03\x04 docx bytes"
t = "See the screenshot below.\n\nThanks,\nMia"
h = '<p>See the screenshot below.</p><img src="cid:shot.1@example.com" alt="screenshot"><p>Thanks,<br>Mia</p>'
related_hs, related_payload = multipart("related", [
    text_part(h, "text/html", "utf-8", "quoted-printable"),
    file_part(png, "image/png", 'filename="shot.png"', cid="shot.1@example.com", disposition="inline"),
], "rel-1", params='; type="text/html"')
alt_hs, alt_payload = multipart("alternative", [
    text_part(t, "text/plain", "utf-8", "7bit"),
    part(related_hs, related_payload),
], "alt-1")
long_name = "quarterly report für März 2024 – final version.csv"
q = urllib.parse.quote(long_name)
cut = q.index("%", 20)  # segments must not split a %XX escape (RFC 2231 section 4.1)
cont = "filename*0*=UTF-8''%s; filename*1*=%s" % (q[:cut], q[cut:])
hs, payload = multipart("mixed", [
    part(alt_hs, alt_payload),
    file_part(csv, "text/csv", cont),
    part(["Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"%s\"" % ew("合同.docx", "utf-8"),
          "Content-Transfer-Encoding: base64", "Content-Disposition: attachment"],
         base64.encodebytes(doc).replace(b"\n", CRLF)),
], "mixed-1")
case("related-inline-attachments",
     message(env("mia@example.com", "Screenshot", "rel1@example.com"), hs, payload),
     **{"from": addr("", "mia@example.com"), "subject": "Screenshot", "message_id": "rel1@example.com",
        "date": "2024-03-01T02:00:00Z", "text": t,
        "html_contains": ['src="cid:shot.1@example.com"', "See the screenshot below."],
        "inline": [{"content_type": "image/png", "filename": "shot.png", "content_id": "shot.1@example.com", "size": len(png), "sha256": sha(png)}],
        "attachments": [
            {"content_type": "text/csv", "filename": long_name, "size": len(csv), "sha256": sha(csv)},
            {"content_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "filename": "合同.docx", "size": len(doc), "sha256": sha(doc)}]})

# 13–16. Automatic mail.
for name, hdr, kind in [("auto-submitted", "Auto-Submitted: auto-replied (vacation)", "auto_reply"),
                        ("x-autorespond", "X-Autorespond: yes", "auto_reply"),
                        ("x-autoreply", "X-Autoreply: yes", "auto_reply"),
                        ("precedence-auto-reply", "Precedence: auto_reply", "auto_reply"),
                        ("precedence-junk", "Precedence: junk", "bulk"),
                        ("precedence-bulk", "Precedence: bulk", "bulk"),
                        ("precedence-list", "Precedence: list", "list")]:
    case(name,
         message(env("bot@example.com", "Out of office", name + "@example.com", extra=[hdr]),
                 ["Content-Type: text/plain; charset=us-ascii"], b"I am away until Monday." + CRLF),
         **{"from": addr("", "bot@example.com"), "subject": "Out of office", "message_id": name + "@example.com",
            "date": "2024-03-01T02:00:00Z", "text": "I am away until Monday.", "auto": kind})

# 17. A Postfix bounce: multipart/report with delivery-status and the returned message.
status = ("Reporting-MTA: dns; mx.parley.example\nX-Postfix-Queue-ID: 4F1A2B3C\nArrival-Date: Fri,  1 Mar 2024 10:00:00 +0800 (CST)\n\n"
          "Final-Recipient: rfc822; bob@example.net\nOriginal-Recipient: rfc822;bob@example.net\nAction: failed\nStatus: 5.1.1\n"
          "Remote-MTA: dns; mx.example.net\nDiagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient address\n rejected: User unknown in virtual mailbox table\n")
orig = crlf("From: Support <support@parley.example>\nTo: bob@example.net\nSubject: Your ticket\nMessage-ID: <parley.7.abc@parley.example>\n\nHello Bob\n").encode()
t = "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients."
hs, payload = multipart("report", [
    text_part(t, "text/plain", "us-ascii", "7bit", extra=["Content-Description: Notification"]),
    part(["Content-Type: message/delivery-status", "Content-Description: Delivery report"], crlf(status).encode()),
    part(["Content-Type: message/rfc822", "Content-Description: Undelivered Message"], orig),
], "report-1", params="; report-type=delivery-status")
case("dsn-postfix",
     message(env("MAILER-DAEMON@mx.parley.example (Mail Delivery System)", "Undelivered Mail Returned to Sender", "dsn1@mx.parley.example",
                 to="support@parley.example", extra=["Auto-Submitted: auto-replied"]), hs, payload),
     **{"from": addr("Mail Delivery System", "MAILER-DAEMON@mx.parley.example"), "to": [addr("", "support@parley.example")],
        "subject": "Undelivered Mail Returned to Sender", "message_id": "dsn1@mx.parley.example",
        "date": "2024-03-01T02:00:00Z", "text": t, "auto": "report",
        "report": {"reporting_mta": "mx.parley.example", "original_message_id": "parley.7.abc@parley.example",
                   "recipients": [{"recipient": "bob@example.net", "action": "failed", "status": "5.1.1",
                                   "diagnostic": "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table"}]}})

# 18. A delay notice with only the returned headers (text/rfc822-headers).
status = "Reporting-MTA: dns;exch.example.org\n\nFinal-Recipient: RFC822; Carol@Example.org\nAction: delayed\nStatus: 4.4.7 (delivery time expired)\n"
hs, payload = multipart("report", [
    text_part("Delivery is delayed.", "text/plain", "us-ascii", "7bit"),
    part(["Content-Type: message/delivery-status"], crlf(status).encode()),
    part(["Content-Type: text/rfc822-headers"], crlf("Message-ID: <parley.8.def@parley.example>\nSubject: Hi\n").encode()),
], "report-2", params="; report-type=delivery-status")
case("dsn-delayed-headers",
     message(env("postmaster@exch.example.org", "Delivery delayed", "dsn2@exch.example.org"), hs, payload),
     **{"from": addr("", "postmaster@exch.example.org"), "subject": "Delivery delayed", "message_id": "dsn2@exch.example.org",
        "date": "2024-03-01T02:00:00Z", "text": "Delivery is delayed.", "auto": "report",
        "report": {"reporting_mta": "exch.example.org", "original_message_id": "parley.8.def@parley.example",
                   "recipients": [{"recipient": "Carol@Example.org", "action": "delayed", "status": "4.4.7"}]}})

# 19. format=flowed with delsp=yes, an Outlook underscore block, a phone signature.
flowed = "This is a long line that the client wrapped \nfor transport. \nSecond paragraph.\n\nSent from my iPhone\n\n________________________________\nFrom: Support <support@parley.example>\nSent: Thursday\nTo: x\n\nOld text"
case("flowed-outlook-mobile",
     message(env("eve@example.com", "Re: help", "flowed1@example.com"),
             ["Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no", "Content-Transfer-Encoding: 7bit"],
             body(flowed, "utf-8", "7bit")),
     **{"from": addr("", "eve@example.com"), "subject": "Re: help", "message_id": "flowed1@example.com",
        "date": "2024-03-01T02:00:00Z",
        "text": "This is a long line that the client wrapped for transport. Second paragraph.\n\nSent from my iPhone\n\n________________________________\nFrom: Support <support@parley.example>\nSent: Thursday\nTo: x\n\nOld text",
        "visible": "This is a long line that the client wrapped for transport. Second paragraph.",
        "signature": "Sent from my iPhone",
        "quoted": "________________________________\nFrom: Support <support@parley.example>\nSent: Thursday\nTo: x\n\nOld text"})

# 20. Sloppy mail: a broken address list, bare ids, an unknown charset
#     (kept as it is), interleaved answers that must stay visible.
t = "On Mon, Jan 1, 2024 at 1:00 PM Support <support@parley.example> wrote:\n> Which size?\nLarge.\n> Which colour?\nBlue."
case("sloppy-interleaved",
     part(["From: Foo Bar <foo@bar.example", "To: support@parley.example, <broken", "Subject: =?x-unknown?Q?hello?= plain",
           "Message-ID: bare-id@bar.example", "References: root@bar.example  other@bar.example", "Date: not a date",
           "Content-Type: text/plain; charset=x-unknown-charset"], crlf(t).encode()),
     **{"from": addr("Foo Bar", "foo@bar.example"), "to": [addr("", "support@parley.example")],
        "subject": "=?x-unknown?Q?hello?= plain", "message_id": "bare-id@bar.example",
        "references": ["root@bar.example", "other@bar.example"], "date": "0001-01-01T00:00:00Z", "text": t})


def main():
    for name, raw, want in CASES:
        with open(name + ".eml", "wb") as f:
            f.write(raw)
        with open(name + ".json", "w", encoding="utf-8") as f:
            json.dump(want, f, ensure_ascii=False, indent=2, sort_keys=True)
            f.write("\n")
    print("wrote %d cases" % len(CASES))


if __name__ == "__main__":
    main()
