package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

var smtpAddr = regexp.MustCompile(`receiving mail by SMTP.*addr=(\S+)`)

// TestServeReceivesMailBySMTP: `parley serve` configured by PARLEY_SMTP_ADDR
// answers SMTP, and a mail sent with swaks to an e-mail channel's address
// becomes a ticket; a stranger's address is refused at RCPT.
func TestServeReceivesMailBySMTP(t *testing.T) {
	const swaks = "/usr/bin/swaks"
	requireSwaks(t, swaks)
	n := startNode(t, t.TempDir(), "PARLEY_SMTP_ADDR=127.0.0.1:0", "PARLEY_SMTP_HOSTNAME=mx.parley.test",
		"PARLEY_ADMIN_EMAIL=admin@example.com", "PARLEY_ADMIN_PASSWORD=correct horse battery")
	var addr string
	waitFor(t, 10*time.Second, func() bool {
		if m := smtpAddr.FindStringSubmatch(n.logs.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	port := addr[strings.LastIndex(addr, ":")+1:]
	c := signIn(t, n.base, "admin@example.com", "correct horse battery")
	var ch struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"platform": "email", "name": "Support",
		"config": map[string]string{"from_address": "support@example.com"}}, &ch)

	send := func(to string) (string, error) {
		out, err := exec.Command(swaks, "--server", "127.0.0.1", "--port", port, "--from", "ana@customer.example",
			"--to", to, "--header", "Subject: Order 1042", "--body", "Where is my order?", "--timeout", "20").CombinedOutput()
		return string(out), err
	}
	if out, err := send("support@example.com"); err != nil || !strings.Contains(out, "mx.parley.test") {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	waitFor(t, 20*time.Second, func() bool {
		c.mustDo("GET", fmt.Sprintf("/api/v1/conversations?view=all&channel_id=%d", ch.ID), nil, &page)
		return len(page.Items) == 1
	})
	if out, err := send("nobody@example.com"); err == nil || !strings.Contains(out, "<** 550") {
		t.Fatalf("a stranger's address was not refused: %v\n%s", err, out)
	}
	if err := n.stop(); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, n.logs)
	}
}

func requireSwaks(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath(path); err == nil {
		return
	}
	missingService(t, "swaks", fmt.Errorf("%s not installed (apt-get install swaks)", path))
}
