package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/store"
)

func shortcuts(rs []*parley.CannedReply) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Shortcut)
	}
	return strings.Join(s, ",")
}

func TestCannedReplies(t *testing.T) {
	onBothEngines(t, func(t *testing.T, open func(tb testing.TB) *store.Store) {
		ctx := context.Background()
		st := open(t)
		thanks := &parley.CannedReply{Shortcut: " Thanks ", Title: "Thank you", Body: "Thank you for writing to us!",
			Variants: map[parley.Platform]string{parley.PlatformSMS: "Thanks!"}}
		if err := st.CreateCannedReply(ctx, thanks); err != nil {
			t.Fatal(err)
		}
		refund := &parley.CannedReply{Shortcut: "refund", Title: "Remboursement", Body: "Votre remboursement ÉTAIT envoyé."}
		if err := st.CreateCannedReply(ctx, refund); err != nil {
			t.Fatal(err)
		}

		t.Run("stored normalized with variants", func(t *testing.T) {
			got, err := st.FindCannedReplyByID(ctx, thanks.ID)
			if err != nil || got.Shortcut != "thanks" || got.TextFor(parley.PlatformSMS) != "Thanks!" ||
				got.TextFor(parley.PlatformWhatsApp) != thanks.Body || got.CreatedAt.IsZero() {
				t.Fatalf("%v %+v", err, got)
			}
		})
		t.Run("query matches shortcut, title or body in any case", func(t *testing.T) {
			for q, want := range map[string]string{"": "refund,thanks", "THANK": "thanks", "rembours": "refund",
				"était": "refund", "writing": "thanks", "nothing": ""} {
				got, err := st.FindCannedReplies(ctx, q)
				if err != nil || shortcuts(got) != want {
					t.Errorf("q=%q: %v %q, want %q", q, err, shortcuts(got), want)
				}
			}
		})
		t.Run("a taken shortcut is a conflict, in any case", func(t *testing.T) {
			err := st.CreateCannedReply(ctx, &parley.CannedReply{Shortcut: "THANKS", Title: "x", Body: "y"})
			if parley.ErrorCode(err) != parley.ECONFLICT {
				t.Errorf("create: %v", err)
			}
			_, err = st.UpdateCannedReply(ctx, refund.ID, parley.CannedReplyUpdate{Shortcut: ptr("thanks")})
			if parley.ErrorCode(err) != parley.ECONFLICT {
				t.Errorf("update: %v", err)
			}
		})
		t.Run("update changes only what is given; variants are replaced", func(t *testing.T) {
			v := map[parley.Platform]string{parley.PlatformWhatsApp: "Gracias"}
			got, err := st.UpdateCannedReply(ctx, thanks.ID, parley.CannedReplyUpdate{Title: ptr("Thanks a lot"), Variants: &v})
			if err != nil || got.Title != "Thanks a lot" || got.Body != thanks.Body || len(got.Variants) != 1 ||
				got.Variants[parley.PlatformWhatsApp] != "Gracias" || !got.UpdatedAt.After(got.CreatedAt) && !got.UpdatedAt.Equal(got.CreatedAt) {
				t.Fatalf("%v %+v", err, got)
			}
			again, _ := st.FindCannedReplyByID(ctx, thanks.ID)
			if again.Title != "Thanks a lot" || again.Variants[parley.PlatformSMS] != "" {
				t.Errorf("stored: %+v", again)
			}
		})
		t.Run("invalid replies are refused", func(t *testing.T) {
			for name, r := range map[string]*parley.CannedReply{
				"no shortcut":      {Title: "t", Body: "b"},
				"spaced shortcut":  {Shortcut: "a b", Title: "t", Body: "b"},
				"long shortcut":    {Shortcut: strings.Repeat("x", parley.CannedShortcutMax+1), Title: "t", Body: "b"},
				"no body":          {Shortcut: "s1", Title: "t"},
				"long body":        {Shortcut: "s2", Title: "t", Body: strings.Repeat("字", parley.CannedBodyMax+1)},
				"unknown platform": {Shortcut: "s3", Title: "t", Body: "b", Variants: map[parley.Platform]string{"pigeon": "x"}},
				"empty variant":    {Shortcut: "s4", Title: "t", Body: "b", Variants: map[parley.Platform]string{parley.PlatformSMS: " "}},
			} {
				if err := st.CreateCannedReply(ctx, r); parley.ErrorCode(err) != parley.EINVALID {
					t.Errorf("%s: %v", name, err)
				}
			}
			if err := st.CreateCannedReply(ctx, &parley.CannedReply{Shortcut: "ok", Title: "t", Body: strings.Repeat("字", parley.CannedBodyMax)}); err != nil {
				t.Errorf("a body at the limit: %v", err)
			}
		})
		t.Run("delete", func(t *testing.T) {
			if err := st.DeleteCannedReply(ctx, refund.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := st.FindCannedReplyByID(ctx, refund.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
				t.Errorf("deleted reply: %v", err)
			}
			if err := st.DeleteCannedReply(ctx, refund.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
				t.Errorf("deleting twice: %v", err)
			}
		})
	})
}
