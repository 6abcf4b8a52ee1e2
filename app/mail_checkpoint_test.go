package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/channel/email/mailtest"
)

// TestMailboxCheckpointSurvivesRestart: the node keeps its IMAP checkpoint
// in the database, so after a restart mail that someone read in their own
// client while Parley was down still becomes a ticket.
func TestMailboxCheckpointSurvivesRestart(t *testing.T) {
	dovecot := mailtest.StartDovecot(t, nil, "")
	capture := mailtest.StartSMTPCapture(t, "none", "", "")
	dataDir := t.TempDir()
	ctx := context.Background()

	cfg := app.Defaults()
	cfg.Addr, cfg.DataDir = "127.0.0.1:0", dataDir
	cfg.AdminEmail, cfg.AdminPassword = adminEmail, adminPassword
	first, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	channelID := mustIMAPChannel(t, first, dovecot, capture)
	if err := first.Start(ctx); err != nil {
		first.Close()
		t.Fatal(err)
	}
	deliverMail(t, dovecot, "<r1@customer.example>", "", "first")
	deliverMail(t, dovecot, "<r2@customer.example>", "", "second")
	c := mustSignIn(t, first)
	eventually(t, 20*time.Second, "two tickets", func() bool { return len(conversationsOn(c, channelID)) == 2 })
	if cp, err := first.Store.FindMailboxCheckpoint(ctx, channelID, "INBOX"); err != nil || cp.LastUID != 2 || cp.UIDValidity == 0 {
		t.Fatalf("checkpoint = %+v, %v", cp, err)
	}
	shutdownCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := first.Shutdown(shutdownCtx); err != nil {
		t.Fatal(err)
	}

	deliverMail(t, dovecot, "<r3@customer.example>", "", "read elsewhere")
	dovecot.Doveadm(t, "flags add", `\Seen`, "mailbox", "INBOX", "uid", "3")

	second := mustNewAppWith(t, func(c *app.Config) { c.DataDir = dataDir }, nil)
	c = mustSignIn(t, second)
	eventually(t, 20*time.Second, "the mail read meanwhile became a ticket", func() bool { return len(conversationsOn(c, channelID)) == 3 })
	eventually(t, 10*time.Second, "checkpoint moved on", func() bool {
		cp, err := second.Store.FindMailboxCheckpoint(ctx, channelID, "INBOX")
		return err == nil && cp.LastUID == 3
	})
}
