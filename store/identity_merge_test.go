package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// mergeTables are the tables a contact merge touches.
var mergeTables = []string{"contacts", "identities", "identity_claims", "conversations", "messages",
	"contact_consents", "conversation_tags", "conversation_links"}

// dumpTables reads every row of the tables as text, in a fixed order.
func dumpTables(tb testing.TB, st *store.Store, tables ...string) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := st.Reader().Query(`SELECT * FROM ` + table + ` ORDER BY 1, 2`)
		if err != nil {
			tb.Fatalf("dumping %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		rows.Close()
	}
	return out
}

// mergeFixture is two records of one person: Ana wrote by mail; "Ana S"
// wrote from her work address and through the shop's API, where she typed
// her private address.
type mergeFixture struct {
	chs     channels
	ana, as *parley.Contact
}

func mustMergeFixture(t *testing.T, st *store.Store) mergeFixture {
	t.Helper()
	ctx := context.Background()
	chs := mustChannels(t, st)
	a := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "ana@example.com", true))
	b := MustIngestOne(t, st, inbound(chs.mail, parley.IdentityEmail, "ana.s@work.example", true))
	b2 := MustIngestOne(t, st, inbound(chs.apiTrusted, parley.IdentityExternal, "cust-9", true,
		email("ana.s@work.example", true), email("ANA@example.com", false), phone("+4915112345678", false)))
	if b2.Contact.ID != b.Contact.ID {
		t.Fatalf("verified work address did not link: %d vs %d", b2.Contact.ID, b.Contact.ID)
	}
	upd := func(id int64, u parley.ContactUpdate) *parley.Contact {
		c, err := st.UpdateContact(ctx, id, u)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	gold, silver, since := "gold", "silver", "2020"
	ana := upd(a.Contact.ID, parley.ContactUpdate{Name: ptr("Ana Silva"), Company: ptr("Acme"), Attributes: map[string]*string{"plan": &gold}})
	as := upd(b.Contact.ID, parley.ContactUpdate{Name: ptr("ana silva"), Company: ptr("Acme"), Language: ptr("pt"),
		Attributes: map[string]*string{"plan": &silver, "customer_since": &since}})
	tick := func() {
		if c, ok := st.Clock.(*stepClock); ok {
			c.at = c.at.Add(time.Minute)
		}
	}
	tick()
	if _, err := st.SetConsent(ctx, identity.Consent{ContactID: ana.ID, Platform: parley.PlatformWhatsApp, Purpose: identity.PurposeMarketing, Granted: true, Source: "web form"}); err != nil {
		t.Fatal(err)
	}
	tick()
	if _, err := st.SetConsent(ctx, identity.Consent{ContactID: as.ID, Platform: parley.PlatformWhatsApp, Purpose: identity.PurposeMarketing, Granted: false, Source: "STOP reply"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetConsent(ctx, identity.Consent{ContactID: as.ID, Platform: parley.PlatformEmail, Purpose: identity.PurposeNotification, Granted: true}); err != nil {
		t.Fatal(err)
	}
	return mergeFixture{chs: chs, ana: ana, as: as}
}

func ptr[T any](v T) *T { return &v }

func TestMergeAndUndoRoundTrip(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		clock := &stepClock{at: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
		st.Clock = clock
		f := mustMergeFixture(t, st)
		before := dumpTables(t, st, mergeTables...)

		res, err := st.MergeContacts(ctx, f.ana.ID, f.as.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("everything moves to the survivor", func(t *testing.T) {
			if res.Identities != 2 || res.Conversations != 2 || res.Rule != identity.MergeRule {
				t.Fatalf("result: %+v", res)
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM conversations WHERE contact_id = $1`, f.ana.ID); n != 3 {
				t.Fatalf("survivor has %d tickets", n)
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM contacts WHERE id = $1`, f.as.ID); n != 0 {
				t.Fatal("source contact still exists")
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM messages WHERE contact_id = $1`, f.as.ID); n != 0 {
				t.Fatalf("%d messages still name the source", n)
			}
			if len(res.Survivor.Identities) != 3 {
				t.Fatalf("survivor identities: %+v", res.Survivor.Identities)
			}
		})
		t.Run("conflicts follow the stated rule and are shown", func(t *testing.T) {
			c := res.Survivor
			if c.Name != "Ana Silva" || c.Attributes["plan"] != "gold" || c.Attributes["customer_since"] != "2020" || c.Language != "pt" {
				t.Fatalf("merged contact: %+v", c)
			}
			want := map[string]identity.AttributeConflict{
				"name":                       {Field: "name", Kept: "Ana Silva", Discarded: "ana silva"},
				"attributes.plan":            {Field: "attributes.plan", Kept: "gold", Discarded: "silver"},
				"consent.whatsapp.marketing": {Field: "consent.whatsapp.marketing", Kept: "opted out", Discarded: "opted in"},
			}
			for _, c := range res.Conflicts {
				if w, ok := want[c.Field]; ok && w == c {
					delete(want, c.Field)
				}
			}
			if len(want) > 0 {
				t.Fatalf("conflicts %+v miss %+v", res.Conflicts, want)
			}
			ok, err := st.ConsentAllows(ctx, f.ana.ID, parley.PlatformWhatsApp, identity.PurposeMarketing)
			if err != nil || ok {
				t.Fatalf("the later opt-out must win: allowed=%v, %v", ok, err)
			}
			ok, err = st.ConsentAllows(ctx, f.ana.ID, parley.PlatformEmail, identity.PurposeNotification)
			if err != nil || !ok {
				t.Fatalf("the source's opt-in must move: allowed=%v, %v", ok, err)
			}
		})
		t.Run("only one active ticket per thread after the merge", func(t *testing.T) {
			n := countRows(t, st, `SELECT COUNT(*) FROM conversations WHERE contact_id = $1 AND channel_id = $2 AND thread_key = ''`, f.ana.ID, f.chs.mail.ID)
			if n != 1 {
				t.Fatalf("%d tickets on the mail thread", n)
			}
		})
		t.Run("the merge is recorded", func(t *testing.T) {
			got, err := st.FindMerge(ctx, res.MergeID)
			if err != nil || got.SourceID != f.as.ID || len(got.Conflicts) != len(res.Conflicts) {
				t.Fatalf("recorded merge: %+v, %v", got, err)
			}
		})

		clock.at = clock.at.Add(time.Hour)
		if _, err := st.UndoMerge(ctx, res.MergeID); err != nil {
			t.Fatal(err)
		}
		t.Run("undo restores exactly the earlier state", func(t *testing.T) {
			after := dumpTables(t, st, mergeTables...)
			for _, table := range mergeTables {
				if !reflect.DeepEqual(before[table], after[table]) {
					t.Errorf("%s differs after undo:\nbefore %v\nafter  %v", table, before[table], after[table])
				}
			}
			q := "work.example"
			found, _, err := st.FindContacts(ctx, parley.ContactFilter{Query: &q})
			if err != nil || len(found) == 0 {
				t.Fatalf("restored contact not searchable: %v, %v", found, err)
			}
		})
		t.Run("a merge is undone only once", func(t *testing.T) {
			_, err := st.UndoMerge(ctx, res.MergeID)
			if parley.ErrorCode(err) != parley.ECONFLICT {
				t.Fatalf("second undo: %v", err)
			}
		})
	})
}

func TestConflictingMerges(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		f := mustMergeFixture(t, st)
		third := MustIngestOne(t, st, inbound(f.chs.whatsapp, parley.IdentityWhatsApp, "4930123456", true)).Contact
		if _, err := st.MergeContacts(ctx, f.ana.ID, f.ana.ID, 0); parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("self merge: %v", err)
		}
		if _, err := st.MergeContacts(ctx, f.ana.ID, 999999, 0); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("missing source: %v", err)
		}
		first, err := st.MergeContacts(ctx, f.ana.ID, f.as.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.MergeContacts(ctx, third.ID, f.as.ID, 0); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("merging an already merged source: %v", err)
		}
		if _, err := st.MergeContacts(ctx, third.ID, f.ana.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UndoMerge(ctx, first.MergeID); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("undo after the survivor was merged away: %v", err)
		}
		if _, err := st.UndoMerge(ctx, 424242); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("unknown merge: %v", err)
		}
	})
}

func TestSuggestionsOfferWeakMatchesWithEvidence(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		f := mustMergeFixture(t, st)
		stranger := MustIngestOne(t, st, inbound(f.chs.mail, parley.IdentityEmail, "bob@example.com", true)).Contact
		got, err := st.SuggestContacts(ctx, f.ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Contact.ID != f.as.ID {
			t.Fatalf("suggestions for Ana: %+v", got)
		}
		kinds := map[string]bool{}
		for _, e := range got[0].Evidence {
			kinds[e.Kind] = true
			if e.Detail == "" {
				t.Fatalf("evidence without detail: %+v", e)
			}
			if e.Kind == "email" && (e.Source == "" || e.OtherSource == "" ||
				e.Detail != "this contact: "+identity.SourceText(e.Kind, e.Source)+"; other contact: "+identity.SourceText(e.Kind, e.OtherSource)) {
				t.Fatalf("e-mail evidence without its sources in codes and words: %+v", e)
			}
		}
		if !kinds["email"] || !kinds["name_company"] {
			t.Fatalf("evidence %+v: want the typed e-mail and the same company", got[0].Evidence)
		}
		back, err := st.SuggestContacts(ctx, f.as.ID)
		if err != nil || len(back) != 1 || back[0].Contact.ID != f.ana.ID {
			t.Fatalf("suggestions are symmetric: %+v, %v", back, err)
		}
		if none, err := st.SuggestContacts(ctx, stranger.ID); err != nil || len(none) != 0 {
			t.Fatalf("stranger: %+v, %v", none, err)
		}
		if n := countRows(t, st, `SELECT COUNT(*) FROM contacts`); n != 3 {
			t.Fatalf("suggesting changed contacts: %d", n)
		}
	})
}

// stepClock is a clock tests move by hand.
type stepClock struct{ at time.Time }

func (c *stepClock) Now() time.Time { return c.at }

// Two agents merging crosswise at once (A←B on one node, B←A on another)
// must end with one contact, never zero or a half-merged pair.
func TestCrosswiseMergesAtOnce(t *testing.T) {
	onBothEngineDSNs(t, func(t *testing.T, newDSN func(tb testing.TB) string) {
		ctx := context.Background()
		dsn := newDSN(t)
		a, b := storetest.MustOpenDSN(t, dsn), storetest.MustOpenDSN(t, dsn)
		f := mustMergeFixture(t, a)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { _, errs[0] = a.MergeContacts(ctx, f.ana.ID, f.as.ID, 0) })
		wg.Go(func() { _, errs[1] = b.MergeContacts(ctx, f.as.ID, f.ana.ID, 0) })
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch parley.ErrorCode(err) {
			case "":
				ok++
			case parley.ENOTFOUND:
			default:
				t.Fatalf("merge failed with %v", err)
			}
		}
		if ok != 1 || countRows(t, a, `SELECT COUNT(*) FROM contacts`) != 1 {
			t.Fatalf("%d merges succeeded; %d contacts left (%v)", ok, countRows(t, a, `SELECT COUNT(*) FROM contacts`), errs)
		}
	})
}

// SQLite hands out max(id)+1, so a contact merged away can see its id
// reused by a new customer: undo must refuse rather than overwrite the
// newcomer, and the newcomer's export must not list the old merges.
func TestUndoNeverTouchesAContactThatReusedAnID(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		f := mustMergeFixture(t, st)
		third := MustIngestOne(t, st, inbound(f.chs.whatsapp, parley.IdentityWhatsApp, "4930123456", true)).Contact
		first, err := st.MergeContacts(ctx, third.ID, f.ana.ID, 0) // third (the newest) absorbs Ana
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.MergeContacts(ctx, f.as.ID, third.ID, 0); err != nil { // and is merged away itself
			t.Fatal(err)
		}
		newcomer := MustIngestOne(t, st, inbound(f.chs.mail, parley.IdentityEmail, "newcomer@example.com", true)).Contact
		if st.Engine() == "sqlite" && newcomer.ID != third.ID {
			t.Fatalf("expected SQLite to reuse id %d, got %d: the scenario no longer arises", third.ID, newcomer.ID)
		}
		if _, err := st.UndoMerge(ctx, first.MergeID); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Fatalf("undo onto a reused id: %v", err)
		}
		got, err := st.FindContactByID(ctx, newcomer.ID)
		if err != nil || got.Name != newcomer.Name || len(got.Identities) != 1 {
			t.Fatalf("newcomer changed: %+v, %v", got, err)
		}
		x, err := st.ExportContact(ctx, newcomer.ID, 0)
		if err != nil || len(x.Merges) != 0 {
			t.Fatalf("newcomer's export lists %d merges (%v)", len(x.Merges), err)
		}
	})
}
