package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/store"
)

// Personal data of the customer to erase, and of one to keep. Tokens are
// unusual so that a hit can only come from the fixture.
var (
	erasedNeedles = []string{"zelinda", "quartzmore", "xylofonia", "4915112345678", "wamid.zq", "vipzq"}
	keptNeedles   = []string{"bartholomew", "obsidiangrove"}
)

// mustPrivacyFixture stores Zelinda (mail, WhatsApp, a duplicate merged
// in, consent, a cached CRM answer) and Bartholomew.
func mustPrivacyFixture(t *testing.T, st *store.Store) (zelinda *parley.Contact, convs, msgs int) {
	t.Helper()
	ctx := context.Background()
	chs := mustChannels(t, st)
	m := inbound(chs.mail, parley.IdentityEmail, "Zelinda.Quartzmore@example.com", true)
	m.Subject, m.Text, m.Sender.Name = "Refund for Zelinda Quartzmore", "Please send it to Rua Xylofonia 12", "Zelinda Quartzmore"
	z := MustIngestOne(t, st, m).Contact
	w := inbound(chs.whatsapp, parley.IdentityWhatsApp, "4915112345678", true, email("zelinda.quartzmore@example.com", true))
	w.ExternalID, w.Text = "wamid.zq1", "Zelinda here, any news?"
	w.Attachments = []parley.Attachment{{Type: "image", URL: "https://cdn.example/xylofonia.jpg", StorageKey: "att/zq-passport", Caption: "Quartzmore passport"}}
	if got := MustIngestOne(t, st, w); got.Contact.ID != z.ID {
		t.Fatalf("verified e-mail did not link WhatsApp to the mail contact")
	}
	dup := MustIngestOne(t, st, inbound(chs.api, parley.IdentityExternal, "cust-zq", true, email("zelinda.quartzmore@example.com", false))).Contact
	if _, err := st.UpdateContact(ctx, dup.ID, parley.ContactUpdate{Company: ptr("Quartzmore Ltd"), Attributes: map[string]*string{"note": ptr("vipzq")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MergeContacts(ctx, z.ID, dup.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetConsent(ctx, identity.Consent{ContactID: z.ID, Platform: parley.PlatformWhatsApp, Purpose: identity.PurposeMarketing, Granted: true, Source: "Zelinda's web form"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveLookup(ctx, z.ID, identity.LookupResult{Status: identity.LookupOK, Data: json.RawMessage(`{"crm_name":"Zelinda Quartzmore","tier":"vipzq"}`)}); err != nil {
		t.Fatal(err)
	}
	b := inbound(chs.mail, parley.IdentityEmail, "bartholomew@example.com", true)
	b.Text, b.Sender.Name = "My obsidiangrove order", "Bartholomew"
	MustIngestOne(t, st, b)
	convs = countRows(t, st, `SELECT COUNT(*) FROM conversations WHERE contact_id = $1`, z.ID)
	msgs = countRows(t, st, `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.contact_id = $1`, z.ID)
	return z, convs, msgs
}

func TestEraseLeavesNoPersonalDataAnywhere(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		z, convs, msgs := mustPrivacyFixture(t, st)
		before := scanDatabase(t, st)
		for _, n := range append(append([]string{}, erasedNeedles...), keptNeedles...) {
			if len(before[n]) == 0 {
				t.Fatalf("the scan does not see %q before erasure: it could not prove anything", n)
			}
		}
		rep, err := st.EraseContact(ctx, z.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Conversations != convs || rep.Messages != msgs || len(rep.AttachmentKeys) != 1 || rep.AttachmentKeys[0] != "att/zq-passport" {
			t.Fatalf("report: %+v (want %d tickets, %d messages)", rep, convs, msgs)
		}
		after := scanDatabase(t, st)
		for _, n := range erasedNeedles {
			if len(after[n]) > 0 {
				t.Errorf("%q still stored in %v", n, after[n])
			}
		}
		for _, n := range keptNeedles {
			if len(after[n]) == 0 {
				t.Errorf("another customer's %q was erased too", n)
			}
		}
		t.Run("aggregates are kept", func(t *testing.T) {
			if n := countRows(t, st, `SELECT COUNT(*) FROM conversations WHERE contact_id = $1`, z.ID); n != convs {
				t.Fatalf("%d tickets after erasure, want %d", n, convs)
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.contact_id = $1`, z.ID); n != msgs {
				t.Fatalf("%d messages after erasure, want %d", n, msgs)
			}
			c, err := st.FindContactByID(ctx, z.ID)
			if err != nil || c.Name != identity.ErasedName || len(c.Identities) != 0 {
				t.Fatalf("erased contact: %+v, %v", c, err)
			}
		})
		t.Run("the request is on record", func(t *testing.T) {
			if n := countRows(t, st, `SELECT COUNT(*) FROM privacy_requests WHERE kind = 'erase' AND contact_id = $1`, z.ID); n != 1 {
				t.Fatalf("%d erase records", n)
			}
		})
		t.Run("the customer writing again is a new person", func(t *testing.T) {
			chs := mustChannels(t, st)
			again := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "zelinda.quartzmore@example.com", true))
			if again.Contact.ID == z.ID {
				t.Fatal("an erased contact was linked again")
			}
		})
	})
}

func TestExportHoldsEverythingAboutTheContact(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		z, convs, msgs := mustPrivacyFixture(t, st)
		x, err := st.ExportContact(ctx, z.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if x.Format != identity.ExportFormat || x.Contact.ID != z.ID || len(x.Conversations) != convs || len(x.Messages) != msgs ||
			len(x.Consents) != 1 || len(x.Merges) != 1 || len(x.Claims) != 1 || len(x.External) == 0 {
			t.Fatalf("export: %d tickets, %d messages, %d consents, %d merges, %d claims, external %s",
				len(x.Conversations), len(x.Messages), len(x.Consents), len(x.Merges), len(x.Claims), x.External)
		}
		raw, _ := json.Marshal(x)
		for _, n := range erasedNeedles {
			if !strings.Contains(strings.ToLower(string(raw)), n) {
				t.Errorf("export lacks %q", n)
			}
		}
		if strings.Contains(strings.ToLower(string(raw)), "obsidiangrove") {
			t.Error("export holds another customer's data")
		}
		if _, err := st.ExportContact(ctx, 987654, 0); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("unknown contact: %v", err)
		}
	})
}

// scanDatabase reads every column of every table (SQLite: including the
// full-text index's shadow tables and its vocabulary; PostgreSQL: every
// table of the schema, tsvectors as text) and reports where each needle
// occurs.
func scanDatabase(tb testing.TB, st *store.Store) map[string][]string {
	tb.Helper()
	hits := map[string][]string{}
	check := func(where, text string) {
		text = strings.ToLower(text)
		for _, n := range append(append([]string{}, erasedNeedles...), keptNeedles...) {
			if strings.Contains(text, n) {
				hits[n] = append(hits[n], where)
			}
		}
	}
	for table, cols := range tableColumns(tb, st) {
		for _, col := range cols {
			q := `SELECT CAST(` + col + ` AS TEXT) FROM ` + table
			if st.Engine() == "sqlite" {
				q = `SELECT ` + col + ` FROM ` + table
			}
			rows, err := st.Reader().Query(q)
			if err != nil {
				tb.Fatalf("scanning %s.%s: %v", table, col, err)
			}
			for rows.Next() {
				var v any
				if err := rows.Scan(&v); err != nil {
					tb.Fatal(err)
				}
				switch x := v.(type) {
				case []byte:
					check(table+"."+col, string(x))
				case string:
					check(table+"."+col, x)
				case nil:
				default:
					check(table+"."+col, fmt.Sprint(x))
				}
			}
			rows.Close()
		}
	}
	if st.Engine() == "sqlite" {
		for _, fts := range []string{"message_search", "contact_search", "conversation_search"} {
			for _, term := range ftsVocabulary(tb, st, fts) {
				check(fts+" vocabulary", term)
			}
		}
	}
	return hits
}

func tableColumns(tb testing.TB, st *store.Store) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	db := st.Reader()
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	if st.Engine() == "sqlite" {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
	}
	rows, err := db.Query(q)
	if err != nil {
		tb.Fatalf("listing columns: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			tb.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if len(out) < 10 {
		tb.Fatalf("only %d tables found: %v", len(out), out)
	}
	return out
}

// ftsVocabulary lists the terms an FTS5 index holds.
func ftsVocabulary(tb testing.TB, st *store.Store, table string) []string {
	tb.Helper()
	db := st.Writer()
	conn, err := db.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	vocab := "temp.vocab_" + table
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS `+vocab+` USING fts5vocab(main, `+table+`, row)`); err != nil {
		tb.Fatalf("vocabulary of %s: %v", table, err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT term FROM `+vocab)
	if err != nil {
		tb.Fatal(err)
	}
	var terms []string
	for rows.Next() {
		var term sql.NullString
		rows.Scan(&term)
		terms = append(terms, term.String)
	}
	rows.Close()
	return terms
}
