package mailtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Dovecot binaries from the dovecot-imapd package (Debian 12: Dovecot 2.3).
const (
	DovecotBin = "/usr/sbin/dovecot"
	LDABin     = "/usr/lib/dovecot/dovecot-lda"
	DoveadmBin = "/usr/bin/doveadm"
)

// Dovecot is a private Dovecot serving IMAP on a loopback port, with one
// user whose Maildir lives in the test's temp dir.
type Dovecot struct {
	Port     int // IMAP (STARTTLS when started with a certificate)
	TLSPort  int // IMAPS (implicit TLS), only with a certificate
	User     string
	Password string
	Config   string // path of dovecot.conf
	Dir      string
}

// Addr is host:port of the IMAP listener.
func (d *Dovecot) Addr() string { return "127.0.0.1:" + strconv.Itoa(d.Port) }

// StartDovecot starts Dovecot for the rest of the test. With cert, IMAP
// offers STARTTLS; without, it speaks plain IMAP (loopback only). extra is
// appended to the configuration (e.g. an imap_capability without IDLE).
func StartDovecot(tb testing.TB, cert *Cert, extra string) *Dovecot {
	tb.Helper()
	RequireBinary(tb, DovecotBin)
	RequireBinary(tb, LDABin)
	RequireBinary(tb, DoveadmBin)
	dir, err := os.MkdirTemp("", "parley-dovecot-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	// Dovecot's unprivileged login processes must reach their sockets.
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	d := &Dovecot{Port: FreePort(tb), User: "agent", Password: "s3cret-pass", Config: filepath.Join(dir, "dovecot.conf"), Dir: dir}
	MustWrite(tb, filepath.Join(dir, "passwd"), []byte(d.User+":{PLAIN}"+d.Password+"::::::\n"))
	if cert != nil {
		d.TLSPort = FreePort(tb)
	}
	uid, gid := mailOwner(tb, dir)
	MustWrite(tb, d.Config, []byte(d.config(cert, uid, gid)+extra+"\n"))
	cmd := exec.Command(DovecotBin, "-F", "-c", d.Config)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	startProcess(tb, cmd)
	WaitForPort(tb, d.Port, 10*time.Second, filepath.Join(dir, "dovecot.log"))
	return d
}

// mailOwner is the user the mail files belong to: Dovecot refuses to
// access mail as root, so a root test uses Debian's "mail" user and hands
// it the mail directories.
func mailOwner(tb testing.TB, dir string) (uid, gid int) {
	tb.Helper()
	uid, gid = os.Getuid(), os.Getgid()
	if uid == 0 {
		u, err := user.Lookup("mail")
		if err != nil {
			tb.Fatalf("no mail user to own test mail: %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}
	for _, sub := range []string{"mail", "home"} {
		p := filepath.Join(dir, sub)
		if err := os.MkdirAll(p, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	return uid, gid
}

func (d *Dovecot) config(cert *Cert, uid, gid int) string {
	tls := "ssl = no\n"
	if cert != nil {
		tls = fmt.Sprintf("ssl = yes\nssl_cert = <%s\nssl_key = <%s\n", cert.CertFile, cert.KeyFile)
	}
	return fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
%[2]sdisable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[1]s/home/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[6]d
  }
}
service anvil {
  chroot =
}
protocol imap {
  imap_idle_notify_interval = 1 secs
}
`, d.Dir, tls, uid, gid, d.Port, d.TLSPort)
}

// Deliver puts a mail into the user's INBOX with dovecot-lda, the way a
// mail server hands mail to Dovecot.
func (d *Dovecot) Deliver(tb testing.TB, raw []byte) {
	tb.Helper()
	cmd := exec.Command(LDABin, "-c", d.Config, "-d", d.User, "-f", "sender@example.com")
	cmd.Stdin = bytes.NewReader(raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(d.Dir, "dovecot.log"))
		tb.Fatalf("dovecot-lda: %v: %s\n%s", err, out, log)
	}
}

// Flags lists the flags of every mail in a mailbox, by UID, as doveadm
// sees them (independently of Parley's IMAP client).
func (d *Dovecot) Flags(tb testing.TB, mailbox string) map[string]string {
	tb.Helper()
	out, err := exec.Command(DoveadmBin, "-c", d.Config, "-f", "tab", "fetch", "-u", d.User, "uid flags", "mailbox", mailbox, "all").CombinedOutput()
	if err != nil {
		tb.Fatalf("doveadm fetch: %v: %s", err, out)
	}
	flags := map[string]string{}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, l := range lines[1:] { // the first line names the columns
		uid, f, _ := strings.Cut(l, "\t")
		flags[uid] = f
	}
	return flags
}

// Doveadm runs a doveadm command (its words in command, e.g. "flags
// remove") for the test user with args (e.g. `\Seen`, "mailbox", "INBOX",
// "uid", "2") and returns its output.
func (d *Dovecot) Doveadm(tb testing.TB, command string, args ...string) string {
	tb.Helper()
	full := append(append([]string{"-c", d.Config}, strings.Fields(command)...), "-u", d.User)
	full = append(full, args...)
	out, err := exec.Command(DoveadmBin, full...).CombinedOutput()
	if err != nil {
		tb.Fatalf("doveadm %s: %v: %s", strings.Join(full[2:], " "), err, out)
	}
	return string(out)
}
