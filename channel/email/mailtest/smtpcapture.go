package mailtest

import (
	"bufio"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PythonBin is Debian's interpreter, which python3-aiosmtpd installs into.
const PythonBin = "/usr/bin/python3"

//go:embed smtpcapture.py
var captureScript []byte

// SMTPCapture is an aiosmtpd server that keeps every mail it accepts.
type SMTPCapture struct {
	Port     int
	TLS      string // none, starttls or tls
	User     string // AUTH is required when set
	Password string
	Cert     *Cert // set unless TLS is none
	maildir  string
}

// StartSMTPCapture starts the capture server for the rest of the test.
// tlsMode is none, starttls or tls; with a user, AUTH is required.
func StartSMTPCapture(tb testing.TB, tlsMode, user, password string) *SMTPCapture {
	tb.Helper()
	RequireBinary(tb, PythonBin)
	if err := exec.Command(PythonBin, "-c", "import aiosmtpd").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("python3-aiosmtpd is not installed")
		}
		tb.Skip("python3-aiosmtpd is not installed")
	}
	dir := tb.TempDir()
	s := &SMTPCapture{Port: FreePort(tb), TLS: tlsMode, User: user, Password: password, maildir: filepath.Join(dir, "Maildir")}
	script := filepath.Join(dir, "smtpcapture.py")
	MustWrite(tb, script, captureScript)
	args := []string{script, "--port", strconv.Itoa(s.Port), "--maildir", s.maildir, "--tls", tlsMode}
	if tlsMode != "none" {
		s.Cert = MustCert(tb, dir)
		args = append(args, "--cert", s.Cert.CertFile, "--key", s.Cert.KeyFile)
	}
	if user != "" {
		args = append(args, "--user", user, "--password", password)
	}
	cmd := exec.Command(PythonBin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stdin.Close() })
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	startProcess(tb, cmd)
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line) == "READY"
	}()
	select {
	case ok := <-ready:
		if !ok {
			tb.Fatal("aiosmtpd did not start")
		}
	case <-time.After(15 * time.Second):
		tb.Fatal("aiosmtpd did not start within 15s")
	}
	return s
}

// Messages returns the captured mails, oldest first.
func (s *SMTPCapture) Messages(tb testing.TB) [][]byte {
	tb.Helper()
	var files []string
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(s.maildir, sub))
		for _, e := range entries {
			files = append(files, filepath.Join(s.maildir, sub, e.Name()))
		}
	}
	sort.Strings(files) // Maildir names start with the delivery time
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
