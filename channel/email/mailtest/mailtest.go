// Package mailtest starts real mail servers from Debian packages for the
// e-mail channel's tests: a private Dovecot (IMAP, with dovecot-lda to
// deliver into it) and an aiosmtpd SMTP server that captures what Parley
// sends. Each runs as the test's own process, on a free loopback port, with
// its configuration and mail in the test's temp dir; nothing touches the
// system services.
//
// A test whose server binary is missing is skipped, unless CI=true: then it
// fails, so CI cannot pass by skipping. CI installs them with:
//
//	apt-get install -y dovecot-imapd swaks python3-aiosmtpd
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// RequireBinary skips the test when path is not installed, or fails it
// when CI=true.
func RequireBinary(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if _, err := exec.LookPath(path); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not installed (apt-get install -y dovecot-imapd swaks python3-aiosmtpd)", path)
	}
	tb.Skipf("%s is not installed", path)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitForPort waits until something listens on 127.0.0.1:port.
func WaitForPort(tb testing.TB, port int, timeout time.Duration, logFile string) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logFile)
	tb.Fatalf("nothing listens on port %d after %s; log:\n%s", port, timeout, log)
}

// Cert is a self-signed certificate for 127.0.0.1 and localhost.
type Cert struct {
	CertFile, KeyFile string
	Pool              *x509.CertPool // trusts the certificate
}

// ClientTLS is a client configuration that trusts only this certificate.
func (c *Cert) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: c.Pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// MustCert makes a certificate in dir.
func MustCert(tb testing.TB, dir string) *Cert {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "parley test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	c := &Cert{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem"), Pool: x509.NewCertPool()}
	MustWrite(tb, c.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	MustWrite(tb, c.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	cert, _ := x509.ParseCertificate(der)
	c.Pool.AddCert(cert)
	return c
}

// MustWrite writes a file or fails the test.
func MustWrite(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// startProcess runs cmd until the test ends.
func startProcess(tb testing.TB, cmd *exec.Cmd) {
	tb.Helper()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", cmd.Path, err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}
